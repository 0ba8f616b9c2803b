import { type EventBus, PermanentError, type Subscription } from '@mathnet/bus';
import { type CloudEvent, type EnrollmentEvent, enrollmentEventSchema } from '@mathnet/contracts';
import type { Db } from '@mathnet/db';
import type { Logger } from '@mathnet/kit';
import { and, eq } from 'drizzle-orm';
import type { ConnectionOpener } from '../connectors/connection-opener';
import { mappings, pushes } from '../store/schema';

export const enrollmentPushGroup = 'lms-bridge.enrollment-push';

/** The per-record types pushed, and the batch type carrying the same payloads (ADR 0007). */
const pushedTypes = ['mathnet.courses.enrollment.enrolled', 'mathnet.courses.enrollment.withdrawn'];
const batchType = 'mathnet.courses.enrollments.changed';
const pushedStatuses = new Set(['enrolled', 'withdrawn']);

/**
 * Mirrors network enrollments into the school LMS: when a learner is enrolled in
 * (or withdrawn from) an offering that is an LMS class, the connector enrolls
 * (or unenrolls) them there. Enrollments the LMS itself made (actor `lms:…`) are
 * not pushed back. A failed push throws, so the bus retries it with backoff and
 * finally parks it in the dead letters; every attempt is recorded in `pushes`.
 *
 * Courses announces an applied LMS batch as one `mathnet.courses.enrollments.changed`
 * whose items are the per-record payloads: each enrolled or withdrawn item not made by an
 * LMS is pushed as its own event would be, the others are dropped without parsing them.
 * A retried batch pushes its items again (an LMS enrolment is a state: pushing it twice
 * changes nothing there).
 */
export function subscribeEnrollmentPush(
  bus: EventBus,
  db: Db,
  opener: ConnectionOpener,
  logger: Logger,
): Promise<Subscription> {
  return bus.subscribe({
    group: enrollmentPushGroup,
    patterns: [...pushedTypes, batchType],
    retryDelaysMs: [1000, 5000, 30_000, 120_000],
    handler: async (event) => {
      for (const enrollment of toPush(event)) await pushEnrollment(db, opener, logger, enrollment);
    },
  });
}

/** The enrollments of the event to push: valid, enrolled or withdrawn, not made by an LMS. */
function toPush(event: CloudEvent): EnrollmentEvent[] {
  const items = event.type === batchType ? itemsOf(event) : [event.data];
  const wanted = items.filter((item) => {
    const { actorId, status } = (item ?? {}) as { actorId?: unknown; status?: unknown };
    // The cheap check first: a batch of an LMS sync is thousands of items made by that LMS.
    return !(typeof actorId === 'string' && actorId.startsWith('lms:')) && pushedStatuses.has(String(status));
  });
  return wanted.map((item) => {
    const parsed = enrollmentEventSchema.safeParse(item);
    if (!parsed.success)
      throw new PermanentError(`${event.type} data breaks its contract: ${parsed.error.message}`);
    return parsed.data;
  });
}

function itemsOf(event: CloudEvent): unknown[] {
  const items = (event.data as { enrollments?: unknown } | null)?.enrollments;
  if (!Array.isArray(items)) throw new PermanentError(`${event.type} data has no enrollments array`);
  return items;
}

/** Pushes one enrollment into the LMS of its class, if it is an LMS class, and records the outcome. */
async function pushEnrollment(
  db: Db,
  opener: ConnectionOpener,
  logger: Logger,
  enrollment: EnrollmentEvent,
): Promise<void> {
  const [cls] = await db
    .select()
    .from(mappings)
    .where(
      and(
        eq(mappings.entity, 'class'),
        eq(mappings.networkId, enrollment.offeringId),
        eq(mappings.active, true),
      ),
    );
  if (!cls) return;
  const [user] = await db
    .select()
    .from(mappings)
    .where(
      and(
        eq(mappings.connectionId, cls.connectionId),
        eq(mappings.entity, 'user'),
        eq(mappings.networkId, enrollment.studentId),
      ),
    );
  const action = enrollment.status === 'enrolled' ? 'enroll' : 'unenroll';
  const record = async (status: string, error: string | null) => {
    await db.insert(pushes).values({
      connectionId: cls.connectionId,
      enrollmentId: enrollment.id,
      action,
      status,
      attempts: 1,
      lastError: error,
    });
  };
  if (!user) {
    await record('skipped', 'the learner has no account in this LMS');
    return;
  }
  const opened = await opener.open(cls.connectionId);
  try {
    if (!opened.session.pushEnrollments) return;
    const [outcome] = await opened.session.pushEnrollments(
      [
        {
          key: enrollment.id,
          classSourcedId: cls.sourceId,
          userSourcedId: user.sourceId,
          role: 'student',
          status: action === 'enroll' ? 'active' : 'tobedeleted',
        },
      ],
      { signal: AbortSignal.timeout(30_000) },
    );
    if (!outcome?.ok) {
      const error = outcome && !outcome.ok ? outcome.error : 'no outcome';
      await record('failed', error);
      logger.warn({ enrollmentId: enrollment.id, error }, 'enrollment push failed');
      throw new Error(`push of enrollment ${enrollment.id} failed: ${error}`);
    }
    await record('done', null);
  } finally {
    await opened.session.close?.();
  }
}
