import {
  AuthFailedError,
  type EnrollmentPush,
  LmsNotFoundError,
  type PushOptions,
  type PushOutcome,
} from '@mathnet/lms-sdk';
import { CourseEnrolments } from './course-enrolments';
import { networkRoleOf, siteCourseId } from './map-records';
import { isRetryable, moodleExceptionOf } from './moodle-errors';
import type { MoodleRole } from './moodle-types';
import type { SessionContext } from './session-context';

type Action =
  | { kind: 'none' }
  | { kind: 'enrol'; roleId: number }
  | { kind: 'unassign'; roleIds: number[] }
  | { kind: 'unenrol' };

/**
 * enrollments.push: enrols with enrol_manual_enrol_users (`active`) and
 * unenrols with enrol_manual_unenrol_users (`tobedeleted`). Idempotent: each
 * course's current enrolment is read first (once per push) and an item that is
 * already true in Moodle gives `changed: false` without a write. "Already true"
 * follows the pull's role mapping (a non-editing teacher is a teacher). A user
 * who keeps another role in the course only loses the roles of the pushed
 * network role (core_role_unassign_roles). Moodle errors become the item's
 * outcome; an AuthFailedError (the token may not do this at all) fails the
 * whole push.
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
      const roles = current.get(userId) ?? [];
      const action = plan(ctx, item, roles);
      if (action.kind === 'none') {
        outcomes.push({ key: item.key, ok: true, changed: false });
        continue;
      }
      await apply(ctx, action, courseId, userId, signal);
      // Later items of this push see the change (a repeated item gives changed: false).
      if (action.kind === 'enrol') current.set(userId, [...roles, { roleid: action.roleId }]);
      else if (action.kind === 'unassign')
        current.set(
          userId,
          roles.filter((r) => !action.roleIds.includes(r.roleid)),
        );
      else current.delete(userId);
      outcomes.push({ key: item.key, ok: true, changed: true });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (error instanceof AuthFailedError && !isOptionalFunctionRefused(error)) throw error;
      if (
        error instanceof LmsNotFoundError &&
        moodleExceptionOf(error)?.wsfunction === 'core_enrol_get_enrolled_users'
      ) {
        outcomes.push(failed(item, `Moodle course ${courseId} does not exist`, false));
        continue;
      }
      if (isRetryable(error)) unavailable = error as Error;
      outcomes.push(failed(item, (error as Error).message, isRetryable(error)));
    }
  }
  return outcomes;
}

/** What to do in Moodle so that it matches the item, given the user's current roles in the course. */
function plan(ctx: SessionContext, item: EnrollmentPush, roles: MoodleRole[]): Action {
  const matching = roles.filter((r) => networkRoleOf(r, ctx.settings) === item.role);
  if (item.status === 'active') {
    if (matching.length > 0) return { kind: 'none' };
    return {
      kind: 'enrol',
      roleId: item.role === 'student' ? ctx.settings.studentRoleId : ctx.settings.teacherRoleId,
    };
  }
  if (matching.length === 0) return { kind: 'none' };
  if (matching.length === roles.length) return { kind: 'unenrol' };
  return { kind: 'unassign', roleIds: matching.map((r) => r.roleid) };
}

async function apply(
  ctx: SessionContext,
  action: Action,
  courseId: number,
  userId: number,
  signal: AbortSignal,
) {
  switch (action.kind) {
    case 'enrol':
      await ctx.client.call(
        'enrol_manual_enrol_users',
        { enrolments: [{ roleid: action.roleId, userid: userId, courseid: courseId }] },
        signal,
      );
      return;
    case 'unenrol':
      await ctx.client.call(
        'enrol_manual_unenrol_users',
        { enrolments: [{ userid: userId, courseid: courseId }] },
        signal,
      );
      return;
    case 'unassign':
      await ctx.client.call(
        'core_role_unassign_roles',
        {
          unassignments: action.roleIds.map((roleid) => ({
            roleid,
            userid: userId,
            contextlevel: 'course',
            instanceid: courseId,
          })),
        },
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
