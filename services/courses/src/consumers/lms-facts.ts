import {
  DEFAULT_MAX_ATTEMPTS,
  type EventBus,
  OrderedOverlap,
  PermanentError,
  type Subscription,
} from '@mathnet/bus';
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
  // Batches of one run and type overlap; a new run or type waits for everything before it.
  const order = new OrderedOverlap();
  return bus.subscribe({
    group: lmsFactsGroup,
    patterns: Object.keys(schemas),
    // Two in flight (ADR 0008), so one batch is parsed and read while the one before holds
    // its locks and commits; `order` keeps the bridge's order between runs and between
    // classes, enrollments and grades. Row locks (offerings, then enrollments) keep
    // overlapping batches of one run consistent.
    prefetch: lmsFactsInFlight,
    // One courses replica at a time applies LMS facts, so `order` sees the whole stream.
    singleActiveConsumer: true,
    maxAttempts: DEFAULT_MAX_ATTEMPTS,
    handler: async (event, context) => {
      const { key, apply } = batchOf(event, context.attempt >= DEFAULT_MAX_ATTEMPTS);
      return order.run(key, async () => {
        let counts: LmsFactCounts | undefined;
        const fresh = await work.run((tx, emit) =>
          consumeOnce(tx, inbox, { group: lmsFactsGroup, eventId: event.id }, async (inner) => {
            counts = await apply(inner, emit);
          }),
        );
        if (fresh) logger.info({ eventId: event.id, type: event.type, ...counts }, 'lms facts applied');
        if (fresh && counts) await stats.wrote(counts.changed);
        else logger.debug({ eventId: event.id }, 'lms facts already applied');
      });
    },
  });
}

/** How many batches of LMS facts one courses process applies at a time (the subscription's prefetch). */
export const lmsFactsInFlight = 2;

interface Batch {
  /** Batches with the same key may be applied side by side: those of one run and one type. */
  key: string;
  apply: (tx: Tx, emit: Emit) => Promise<LmsFactCounts>;
}

function batchOf(event: CloudEvent, lastAttempt: boolean): Batch {
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
  const key = `${data.runId} ${event.type}`;
  if ('classes' in data) return { key, apply: (tx, emit) => applyClasses(tx, emit, batch, data.classes) };
  if ('enrollments' in data)
    return { key, apply: (tx, emit) => applyEnrollments(tx, emit, batch, data.enrollments) };
  return { key, apply: (tx, emit) => applyGrades(tx, emit, batch, data.grades) };
}
