import { LmsNotFoundError, type PulledPage, type PullOptions } from '@mathnet/lms-sdk';
import { loadCatalog } from './course-catalog';
import { EnrolledUsersPager } from './enrolled-users-pager';
import { EntityBatch } from './entity-batch';
import { enrollmentFromMoodle, type NetworkRole, networkRoleOf, userFromMoodle } from './map-records';
import { issuesText, type MoodleEnrolledUser, moodleEnrolledUserSchema } from './moodle-types';
import type { SessionContext } from './session-context';

/** courses.pull: the school org, and each Moodle course as a OneRoster course and class. */
export async function* pullCourses(ctx: SessionContext, options: PullOptions): AsyncGenerator<PulledPage> {
  const { signal } = options;
  const catalog = await loadCatalog(ctx, signal);
  const pageSize = options.pageSize ?? ctx.settings.pageSize;
  yield* catalog.orgs.pages(pageSize, signal);
  yield* catalog.courses.pages(pageSize, signal);
  yield* catalog.classes.pages(pageSize, signal);
}

interface SeenUser {
  user: MoodleEnrolledUser;
  roles: Set<NetworkRole>;
}

/**
 * roster.pull: what pullCourses delivers, then the users enrolled in those
 * courses (deduplicated across courses, roles merged) and their enrollments.
 * Moodle has no change feed for enrolments, so every pull is bulk.
 */
export async function* pullRoster(ctx: SessionContext, options: PullOptions): AsyncGenerator<PulledPage> {
  const { signal } = options;
  const catalog = await loadCatalog(ctx, signal);
  const pageSize = options.pageSize ?? ctx.settings.pageSize;
  yield* catalog.orgs.pages(pageSize, signal);
  yield* catalog.courses.pages(pageSize, signal);
  yield* catalog.classes.pages(pageSize, signal);

  const users = new Map<number, SeenUser>();
  const userBatch = new EntityBatch('users');
  const enrollments: { courseId: number; userId: number; role: NetworkRole }[] = [];
  const pager = new EnrolledUsersPager(ctx);
  for (const course of catalog.usable) {
    try {
      for await (const raw of pager.users(course.id, signal)) {
        const parsed = moodleEnrolledUserSchema.safeParse(raw);
        if (!parsed.success) {
          const id = (raw as { id?: unknown } | null)?.id;
          const sourcedId = typeof id === 'number' ? String(id) : undefined;
          // Once per user, however many courses they are in.
          if (!sourcedId || !userBatch.rejected.some((r) => r.sourcedId === sourcedId)) {
            userBatch.reject(sourcedId, issuesText(parsed.error));
          }
          continue;
        }
        const user = parsed.data;
        const roles = new Set<NetworkRole>();
        for (const role of user.roles) {
          const mapped = networkRoleOf(role, ctx.settings);
          if (mapped) roles.add(mapped);
        }
        const seen = users.get(user.id) ?? { user, roles: new Set<NetworkRole>() };
        for (const role of roles) {
          seen.roles.add(role);
          enrollments.push({ courseId: course.id, userId: user.id, role });
        }
        users.set(user.id, seen);
      }
    } catch (error) {
      // A course deleted since the course list was read: its enrolments are gone with it.
      if (!(error instanceof LmsNotFoundError)) throw error;
      ctx.logger.warn('moodle course vanished during the roster pull', {
        courseId: course.id,
        error: error.message,
      });
    }
  }

  const usable = new Set<number>();
  for (const [id, { user, roles }] of users) {
    if (roles.size === 0) {
      // Managers, guests and custom roles: not people of the network's classes.
      ctx.logger.debug('moodle user without a student or teacher role skipped', { userId: id });
      continue;
    }
    if (userBatch.add(userFromMoodle(user, roles, ctx.orgSourcedId), String(id))) usable.add(id);
  }
  yield* userBatch.pages(pageSize, signal);

  const enrollmentBatch = new EntityBatch('enrollments');
  for (const { courseId, userId, role } of enrollments) {
    const record = enrollmentFromMoodle(courseId, userId, role, ctx.orgSourcedId);
    if (usable.has(userId)) enrollmentBatch.add(record, record.sourcedId);
    else enrollmentBatch.reject(record.sourcedId, `user ${userId} was rejected`);
  }
  yield* enrollmentBatch.pages(pageSize, signal);
}
