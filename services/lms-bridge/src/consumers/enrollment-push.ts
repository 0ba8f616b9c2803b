import type { EventBus, Subscription } from '@mathnet/bus';
import { enrollmentEventSchema } from '@mathnet/contracts';
import type { Db } from '@mathnet/db';
import type { Logger } from '@mathnet/kit';
import { and, eq } from 'drizzle-orm';
import type { ConnectionOpener } from '../connectors/connection-opener';
import { mappings, pushes } from '../store/schema';

export const enrollmentPushGroup = 'lms-bridge.enrollment-push';

/**
 * Mirrors network enrollments into the school LMS: when a learner is enrolled in
 * (or withdrawn from) an offering that is an LMS class, the connector enrolls
 * (or unenrolls) them there. Enrollments the LMS itself made (actor `lms:…`) are
 * not pushed back. A failed push throws, so the bus retries it with backoff and
 * finally parks it in the dead letters; every attempt is recorded in `pushes`.
 */
export function subscribeEnrollmentPush(
  bus: EventBus,
  db: Db,
  opener: ConnectionOpener,
  logger: Logger,
): Promise<Subscription> {
  return bus.subscribe({
    group: enrollmentPushGroup,
    patterns: ['mathnet.courses.enrollment.enrolled', 'mathnet.courses.enrollment.withdrawn'],
    retryDelaysMs: [1000, 5000, 30_000, 120_000],
    handler: async (event) => {
      const parsed = enrollmentEventSchema.safeParse(event.data);
      if (!parsed.success || parsed.data.actorId.startsWith('lms:')) return;
      const enrollment = parsed.data;
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
        await db
          .insert(pushes)
          .values({
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
        if (!outcome || !outcome.ok) {
          const error = outcome && !outcome.ok ? outcome.error : 'no outcome';
          await record('failed', error);
          logger.warn({ enrollmentId: enrollment.id, error }, 'enrollment push failed');
          throw new Error(`push of enrollment ${enrollment.id} failed: ${error}`);
        }
        await record('done', null);
      } finally {
        await opened.session.close?.();
      }
    },
  });
}
