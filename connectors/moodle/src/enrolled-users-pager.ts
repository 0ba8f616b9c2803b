import type { SessionContext } from './session-context';

/**
 * Pages through core_enrol_get_enrolled_users with `limitfrom`/`limitnumber`.
 *
 * A site (or a proxy in front of it) may cap `limitnumber` below what was
 * asked, so a short page does not prove the end. The pager keeps the largest
 * page the site has served in this session: a page shorter than that one is
 * the last; otherwise it asks for the next page until one comes back empty.
 * One pager per pull or push, shared by its courses.
 */
export class EnrolledUsersPager {
  #largestPage = 0;

  constructor(private readonly ctx: SessionContext) {}

  /** Every enrolled user of a course, as Moodle sent them (unvalidated). */
  async *users(courseId: number, signal: AbortSignal): AsyncGenerator<unknown> {
    const limit = this.ctx.settings.pageSize;
    let from = 0;
    const seen = new Set<unknown>();
    for (;;) {
      const page = await this.ctx.client.call<unknown[]>(
        'core_enrol_get_enrolled_users',
        {
          courseid: courseId,
          options: [
            { name: 'limitfrom', value: from },
            { name: 'limitnumber', value: limit },
          ],
        },
        signal,
      );
      const users = Array.isArray(page) ? page : [];
      let fresh = 0;
      for (const user of users) {
        const id = (user as { id?: unknown } | null)?.id;
        // A site that ignores limitfrom would serve the same page forever.
        if (id !== undefined && seen.has(id)) continue;
        seen.add(id);
        fresh++;
        yield user;
      }
      const largestBefore = this.#largestPage;
      this.#largestPage = Math.max(this.#largestPage, users.length);
      if (users.length === 0 || fresh === 0 || users.length < largestBefore) return;
      from += users.length;
    }
  }
}
