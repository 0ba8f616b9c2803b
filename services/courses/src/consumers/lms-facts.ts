import { DEFAULT_MAX_ATTEMPTS, type EventBus, PermanentError, type Subscription } from '@mathnet/bus';
import {
  type CloudEvent,
  lmsClassesSyncedSchema,
  lmsEnrollmentsSyncedSchema,
  lmsGradesSyncedSchema,
} from '@mathnet/contracts';
import { consumeOnce, type Db, type Emit, TableStatistics, type Tx, type UnitOfWork } from '@mathnet/db';
import type { Logger } from '@mathnet/kit';
import { inbox } from '../store/schema';
import type { LmsBatch, LmsFactCounts } from './lms-batch';
import { applyClasses } from './lms-classes';
import { applyEnrollments } from './lms-enrollments';
import { applyGrades } from './lms-grades';

export { lmsActor } from './lms-batch';

/** The consumer group (and queue) of class, enrollment and grade facts from lms-bridge. */
export const lmsFactsGroup = 'courses.lms-facts';

const schemas = {
  'mathnet.lms.classes.synced': lmsClassesSyncedSchema,
  'mathnet.lms.enrollments.synced': lmsEnrollmentsSyncedSchema,
  'mathnet.lms.grades.synced': lmsGradesSyncedSchema,
} as const;

/**
 * Keeps LMS classes, their enrollments and completions in the courses service, from
 * lms-bridge's batches. Each batch is one transaction with its inbox row and the
 * outbox rows of its events (a redelivery has no second effect). Only offerings of
 * origin 'lms' of the batch's school are changed by classes and enrollments; grades
 * complete enrollments in any offering that school provides. Unchanged facts emit nothing;
 * the enrollments a batch changed are announced in one `mathnet.courses.enrollments.changed`
 * (ADR 0007), offerings one event each.
 */
export async function subscribeLmsFacts(
  bus: EventBus,
  work: UnitOfWork,
  logger: Logger,
  db: Db,
): Promise<Subscription> {
  // An LMS import fills these tables by the hundred thousand; keep the planner's picture current.
  const stats = new TableStatistics(db, ['courses.enrollments', 'courses.enrollment_steps']);
  return bus.subscribe({
    group: lmsFactsGroup,
    patterns: Object.keys(schemas),
    // One at a time keeps the bridge's order (classes, then enrollments, then grades) on one consumer.
    prefetch: 1,
    maxAttempts: DEFAULT_MAX_ATTEMPTS,
    handler: async (event, context) => {
      const apply = batchOf(event, context.attempt >= DEFAULT_MAX_ATTEMPTS);
      let counts: LmsFactCounts | undefined;
      const fresh = await work.run((tx, emit) =>
        consumeOnce(tx, inbox, { group: lmsFactsGroup, eventId: event.id }, async (inner) => {
          counts = await apply(inner, emit);
        }),
      );
      if (fresh) logger.info({ eventId: event.id, type: event.type, ...counts }, 'lms facts applied');
      if (fresh && counts) await stats.wrote(counts.changed);
      else logger.debug({ eventId: event.id }, 'lms facts already applied');
    },
  });
}

function batchOf(event: CloudEvent, lastAttempt: boolean): (tx: Tx, emit: Emit) => Promise<LmsFactCounts> {
  const schema = schemas[event.type as keyof typeof schemas];
  const parsed = schema?.safeParse(event.data);
  // A batch breaking its contract can never succeed: park it in the dead letters at once.
  if (!parsed?.success)
    throw new PermanentError(`${event.type} data breaks its contract: ${parsed?.error.message}`);
  const data = parsed.data;
  const batch: LmsBatch = {
    connectionId: data.connectionId,
    runId: data.runId,
    organisationId: data.organisationId,
    lastAttempt,
  };
  if ('classes' in data) return (tx, emit) => applyClasses(tx, emit, batch, data.classes);
  if ('enrollments' in data) return (tx, emit) => applyEnrollments(tx, emit, batch, data.enrollments);
  return (tx, emit) => applyGrades(tx, emit, batch, data.grades);
}
