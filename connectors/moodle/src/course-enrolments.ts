import { EnrolledUsersPager } from './enrolled-users-pager';
import { type MoodleRole, moodleEnrolledUserSchema } from './moodle-types';
import type { SessionContext } from './session-context';

/**
 * The current enrolment of courses, read once per push: for each course, the
 * enrolled users and their roles in it (core_enrol_get_enrolled_users).
 */
export class CourseEnrolments {
  readonly #courses = new Map<number, Promise<Map<number, MoodleRole[]>>>();
  readonly #pager: EnrolledUsersPager;

  constructor(private readonly ctx: SessionContext) {
    this.#pager = new EnrolledUsersPager(ctx);
  }

  /** user id → the user's roles in the course (the map is live: the push updates it after each write). */
  of(courseId: number, signal: AbortSignal): Promise<Map<number, MoodleRole[]>> {
    let loading = this.#courses.get(courseId);
    if (!loading) {
      loading = this.#load(courseId, signal);
      // A failed read is not cached: the next item of that course tries again.
      loading.catch(() => this.#courses.delete(courseId));
      this.#courses.set(courseId, loading);
    }
    return loading;
  }

  async #load(courseId: number, signal: AbortSignal): Promise<Map<number, MoodleRole[]>> {
    const users = new Map<number, MoodleRole[]>();
    for await (const raw of this.#pager.users(courseId, signal)) {
      const parsed = moodleEnrolledUserSchema.safeParse(raw);
      if (!parsed.success) {
        this.ctx.logger.debug('moodle enrolled user with an unexpected shape ignored', { courseId });
        continue;
      }
      users.set(parsed.data.id, parsed.data.roles);
    }
    return users;
  }
}
