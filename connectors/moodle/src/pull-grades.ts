import {
  AuthFailedError,
  ConnectorError,
  LmsNotFoundError,
  type PulledPage,
  type PullOptions,
} from '@mathnet/lms-sdk';
import { loadCourses } from './course-catalog';
import { EntityBatch } from './entity-batch';
import { gradedItemTypes, lineItemFromMoodle, resultFromMoodle } from './map-records';
import { moodleExceptionOf } from './moodle-errors';
import {
  completionStatusSchema,
  gradeReportSchema,
  issuesText,
  type MoodleGradeItem,
  moodleGradeItemSchema,
} from './moodle-types';
import type { SessionContext } from './session-context';

/** Moodle error codes meaning "this course has no completion to report" (completion off, or no criteria). */
const noCompletionCodes = new Set(['cannotviewreport', 'nocriteriaset', 'completionnotenabled']);
/** Completion calls in flight at once (Moodle answers one user per call). */
const completionConcurrency = 4;
/** Moodle error codes meaning "this user has no completion in this course". */
const userNotTrackedCodes = new Set(['usernotenroled', 'notenroled']);

/**
 * grades.pull: per course, the grade items of the user report
 * (gradereport_user_get_grade_items) as line items and every user's grades as
 * results; course completion (core_completion_get_course_completion_status)
 * goes into `completed` of the course-total result where the site tracks it.
 */
export async function* pullGrades(ctx: SessionContext, options: PullOptions): AsyncGenerator<PulledPage> {
  const { signal } = options;
  const pageSize = options.pageSize ?? ctx.settings.pageSize;
  const { courses, rejected } = await loadCourses(ctx, signal);
  const lineItems = new EntityBatch('lineItems');
  const results = new EntityBatch('results');
  for (const r of rejected) lineItems.reject(r.sourcedId, `course: ${r.reason}`);
  const completions = new CompletionReader(ctx, signal);
  const seenItems = new Set<number>();

  for (const course of courses) {
    let report: ReturnType<typeof gradeReportSchema.parse>;
    try {
      const answer = await ctx.client.call(
        'gradereport_user_get_grade_items',
        { courseid: course.id },
        signal,
      );
      const parsed = gradeReportSchema.safeParse(answer);
      if (!parsed.success) {
        lineItems.reject(
          String(course.id),
          `the grade report of course ${course.id} has an unexpected shape: ${issuesText(parsed.error)}`,
        );
        continue;
      }
      report = parsed.data;
    } catch (error) {
      if (error instanceof LmsNotFoundError) continue; // deleted since the course list was read
      if (error instanceof ConnectorError && error.code === 'invalid_data') {
        lineItems.reject(
          String(course.id),
          `the grade report of course ${course.id} was refused: ${error.message}`,
        );
        continue;
      }
      throw error;
    }
    const completion = await completions.ofCourse(
      course.id,
      report.usergrades.map((u) => u.userid),
    );
    for (const userGrades of report.usergrades) {
      const completed = completion.get(userGrades.userid);
      for (const raw of userGrades.gradeitems) {
        const parsed = moodleGradeItemSchema.safeParse(raw);
        if (!parsed.success) {
          const id = (raw as { id?: unknown } | null)?.id;
          results.reject(
            typeof id === 'number' ? `${id}:${userGrades.userid}` : undefined,
            issuesText(parsed.error),
          );
          continue;
        }
        const item: MoodleGradeItem = parsed.data;
        if (!gradedItemTypes.has(item.itemtype)) continue;
        if (!seenItems.has(item.id)) {
          seenItems.add(item.id);
          lineItems.add(lineItemFromMoodle(item, course.id), String(item.id));
        }
        const result = resultFromMoodle(
          item,
          userGrades.userid,
          item.itemtype === 'course' ? completed : undefined,
        );
        if (result) results.add(result, result.sourcedId);
      }
    }
  }
  yield* lineItems.pages(pageSize, signal);
  yield* results.pages(pageSize, signal);
}

/**
 * Reads course completion per user, and stops asking where the site cannot
 * answer: the function is not allowed for the token (for the whole pull) or
 * completion is not enabled in a course (for that course).
 */
class CompletionReader {
  #allowed = true;
  readonly #coursesWithout = new Set<number>();

  constructor(
    private readonly ctx: SessionContext,
    private readonly signal: AbortSignal,
  ) {}

  /** The completion of each user of a course, asked a few at a time (one call per user is Moodle's only way). */
  async ofCourse(courseId: number, userIds: number[]): Promise<Map<number, boolean | undefined>> {
    const found = new Map<number, boolean | undefined>();
    const queue = [...userIds];
    const worker = async () => {
      for (let userId = queue.shift(); userId !== undefined; userId = queue.shift()) {
        found.set(userId, await this.of(courseId, userId));
      }
    };
    await Promise.all(Array.from({ length: Math.min(completionConcurrency, queue.length) }, worker));
    return found;
  }

  async of(courseId: number, userId: number): Promise<boolean | undefined> {
    if (!this.#allowed || this.#coursesWithout.has(courseId)) return undefined;
    try {
      const answer = await this.ctx.client.call(
        'core_completion_get_course_completion_status',
        { courseid: courseId, userid: userId },
        this.signal,
      );
      const parsed = completionStatusSchema.safeParse(answer);
      return parsed.success ? parsed.data.completionstatus.completed : undefined;
    } catch (error) {
      const code = moodleExceptionOf(error)?.errorcode ?? '';
      if (error instanceof AuthFailedError && code === 'accessexception') {
        // Calls already in flight fail the same way: warn once.
        if (!this.#allowed) return undefined;
        this.#allowed = false;
        this.ctx.logger.warn(
          'the token may not call core_completion_get_course_completion_status: results carry no completion',
        );
        return undefined;
      }
      if (noCompletionCodes.has(code)) {
        this.#coursesWithout.add(courseId);
        return undefined;
      }
      if (userNotTrackedCodes.has(code)) return undefined;
      if (error instanceof ConnectorError && error.code === 'invalid_data') {
        // Completion is extra information: a refusal for one user (e.g. group visibility) leaves it unknown.
        this.ctx.logger.debug('moodle completion status refused', { courseId, userId, error: error.message });
        return undefined;
      }
      throw error;
    }
  }
}
