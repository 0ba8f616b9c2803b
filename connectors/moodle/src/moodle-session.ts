import {
  AuthFailedError,
  type EnrollmentPush,
  type LmsSession,
  type PulledPage,
  type PullOptions,
  type PushOptions,
  type PushOutcome,
} from '@mathnet/lms-sdk';
import { loadSiteInfo } from './course-catalog';
import { pullGrades } from './pull-grades';
import { pullCourses, pullRoster } from './pull-roster';
import { pushEnrollments } from './push-enrollments';
import { optionalFunctions, requiredFunctions, type SessionContext } from './session-context';

/** What `test()` reports about the site and the token. */
export interface MoodleTestReport extends Record<string, unknown> {
  sitename: string;
  release: string | null;
  version: string | null;
  siteurl: string | null;
  /** The Moodle user the token belongs to. */
  username: string;
  /** The functions the connector uses that this token may call. */
  functions: string[];
  /** Optional functions the token may not call (what is lost is said in the connector docs). */
  missingOptional: string[];
}

/** A connected Moodle site: the declared capabilities, over one MoodleClient. */
export class MoodleSession implements LmsSession {
  constructor(private readonly ctx: SessionContext) {}

  /**
   * Calls core_webservice_get_site_info and checks that the token may call
   * every function the connector needs (the service's `functions` list).
   */
  async test(signal: AbortSignal): Promise<MoodleTestReport> {
    const site = await loadSiteInfo(this.ctx, signal);
    const allowed = new Set(site.functions.map((f) => f.name));
    const required = requiredFunctions(this.ctx.settings);
    const missing = required.filter((name) => !allowed.has(name));
    if (missing.length > 0) {
      throw new AuthFailedError(
        `The Moodle token of user "${site.username}" may not call ${missing.join(', ')}. Add ${missing.length === 1 ? 'it' : 'them'} to the token's external service (Site administration → Server → Web services → External services → Functions).`,
      );
    }
    return {
      sitename: site.sitename,
      release: site.release ?? null,
      version: site.version ?? null,
      siteurl: site.siteurl ?? null,
      username: site.username,
      functions: [...required, ...optionalFunctions].filter((name) => allowed.has(name)),
      missingOptional: optionalFunctions.filter((name) => !allowed.has(name)),
    };
  }

  pullCourses(options: PullOptions): AsyncIterable<PulledPage> {
    return pullCourses(this.ctx, options);
  }

  pullRoster(options: PullOptions): AsyncIterable<PulledPage> {
    return pullRoster(this.ctx, options);
  }

  pullGrades(options: PullOptions): AsyncIterable<PulledPage> {
    return pullGrades(this.ctx, options);
  }

  pushEnrollments(items: EnrollmentPush[], options: PushOptions): Promise<PushOutcome[]> {
    return pushEnrollments(this.ctx, items, options);
  }

  async close(): Promise<void> {
    // Nothing held open: every call is one HTTP request.
  }
}
