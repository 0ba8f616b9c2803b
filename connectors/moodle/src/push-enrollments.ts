import {
  AuthFailedError,
  type EnrollmentPush,
  LmsNotFoundError,
  type PushOptions,
  type PushOutcome,
} from '@mathnet/lms-sdk';
import { CourseEnrolments } from './course-enrolments';
import { siteCourseId } from './map-records';
import { isRetryable, moodleExceptionOf } from './moodle-errors';
import type { SessionContext } from './session-context';

type Action =
  | { kind: 'none' }
  | { kind: 'enrol'; roleId: number }
  | { kind: 'unassign'; roleId: number }
  | { kind: 'unenrol'; roleId: number };

/**
 * enrollments.push: enrols with enrol_manual_enrol_users (`active`) and
 * unenrols with enrol_manual_unenrol_users (`tobedeleted`). Idempotent: each
 * course's current enrolment is read first (once per push) and an item that is
 * already true in Moodle gives `changed: false` without a write. A user who
 * keeps another role in the course only loses the pushed role
 * (core_role_unassign_roles). Moodle errors become the item's outcome; an
 * AuthFailedError (the token may not do this at all) fails the whole push.
 */
export async function pushEnrollments(
  ctx: SessionContext,
  items: EnrollmentPush[],
  options: PushOptions,
): Promise<PushOutcome[]> {
  const { signal } = options;
  const enrolments = new CourseEnrolments(ctx);
  const outcomes: PushOutcome[] = [];
  // Once the site is down or rate-limits, the remaining items are left for the next push instead of each waiting.
  let unavailable: Error | undefined;
  for (const item of items) {
    signal.throwIfAborted();
    if (unavailable) {
      outcomes.push(failed(item, `not tried: ${unavailable.message}`, true));
      continue;
    }
    const courseId = moodleId(item.classSourcedId);
    const userId = moodleId(item.userSourcedId);
    if (courseId === undefined || courseId === siteCourseId) {
      outcomes.push(failed(item, `class ${item.classSourcedId} is not a Moodle course id`, false));
      continue;
    }
    if (userId === undefined) {
      outcomes.push(failed(item, `user ${item.userSourcedId} is not a Moodle user id`, false));
      continue;
    }
    try {
      const current = await enrolments.of(courseId, signal);
      const roleId = item.role === 'student' ? ctx.settings.studentRoleId : ctx.settings.teacherRoleId;
      const action = plan(item, current.get(userId), roleId);
      if (action.kind === 'none') {
        outcomes.push({ key: item.key, ok: true, changed: false });
        continue;
      }
      await apply(ctx, action, courseId, userId, signal);
      // Later items of this push see the change (a repeated item gives changed: false).
      if (action.kind === 'enrol') current.set(userId, new Set([...(current.get(userId) ?? []), action.roleId]));
      else if (action.kind === 'unassign') current.get(userId)?.delete(action.roleId);
      else current.delete(userId);
      outcomes.push({ key: item.key, ok: true, changed: true });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (error instanceof AuthFailedError && !isOptionalFunctionRefused(error)) throw error;
      if (error instanceof LmsNotFoundError && moodleExceptionOf(error)?.wsfunction === 'core_enrol_get_enrolled_users') {
        outcomes.push(failed(item, `Moodle course ${courseId} does not exist`, false));
        continue;
      }
      if (isRetryable(error)) unavailable = error as Error;
      outcomes.push(failed(item, (error as Error).message, isRetryable(error)));
    }
  }
  return outcomes;
}

/** What to do in Moodle so that it matches the item, given the user's current role ids in the course. */
function plan(item: EnrollmentPush, roles: Set<number> | undefined, roleId: number): Action {
  if (item.status === 'active') return roles?.has(roleId) ? { kind: 'none' } : { kind: 'enrol', roleId };
  if (!roles?.has(roleId)) return { kind: 'none' };
  return roles.size > 1 ? { kind: 'unassign', roleId } : { kind: 'unenrol', roleId };
}

async function apply(ctx: SessionContext, action: Action, courseId: number, userId: number, signal: AbortSignal) {
  switch (action.kind) {
    case 'enrol':
      await ctx.client.call(
        'enrol_manual_enrol_users',
        { enrolments: [{ roleid: action.roleId, userid: userId, courseid: courseId }] },
        signal,
      );
      return;
    case 'unenrol':
      await ctx.client.call('enrol_manual_unenrol_users', { enrolments: [{ userid: userId, courseid: courseId }] }, signal);
      return;
    case 'unassign':
      await ctx.client.call(
        'core_role_unassign_roles',
        { unassignments: [{ roleid: action.roleId, userid: userId, contextlevel: 'course', instanceid: courseId }] },
        signal,
      );
      return;
  }
}

/** core_role_unassign_roles is optional: a token without it fails the item, not the push. */
function isOptionalFunctionRefused(error: AuthFailedError): boolean {
  const ex = moodleExceptionOf(error);
  return ex?.wsfunction === 'core_role_unassign_roles' && ex.errorcode === 'accessexception';
}

function moodleId(sourcedId: string): number | undefined {
  if (!/^[1-9]\d{0,17}$/.test(sourcedId)) return undefined;
  const id = Number(sourcedId);
  return Number.isSafeInteger(id) ? id : undefined;
}

function failed(item: EnrollmentPush, error: string, retryable: boolean): PushOutcome {
  return { key: item.key, ok: false, error, retryable };
}
