import { type ConnectorLogger, LmsUnavailableError, type RetryOptions, withRetry } from '@mathnet/lms-sdk';
import { httpStatusError, readMoodleException, toConnectorError } from './moodle-errors';
import { encodePhpForm, type PhpFormValue } from './php-form';

/** How to reach one Moodle site's REST web service. */
export interface MoodleClientOptions {
  /** The site's root URL (`https://lms.school.example/` or `https://host/moodle`). */
  baseUrl: string;
  /** A web service token (Site administration → Server → Web services → Manage tokens). */
  token: string;
  fetch?: typeof fetch;
  logger?: ConnectorLogger;
  /** How long one call may take before the site counts as unavailable (default 60 s). */
  timeoutMs?: number;
  /**
   * Retries of a call that found the site unavailable or rate-limited (the SDK's
   * withRetry defaults: 3 calls in all, backoff from 200 ms, waits up to 30 s).
   */
  retry?: Pick<RetryOptions, 'attempts' | 'baseDelayMs' | 'maxDelayMs'>;
}

/**
 * A small client of Moodle's REST server (`webservice/rest/server.php`):
 * POSTs `wstoken`, `wsfunction`, `moodlewsrestformat=json` and the function's
 * parameters in PHP form-array encoding, and turns Moodle's HTTP 200 exception
 * bodies into typed connector errors (see moodle-errors.ts).
 */
export class MoodleClient {
  /** The REST endpoint (never includes the token). */
  readonly endpoint: string;
  readonly #token: string;
  readonly #fetch: typeof fetch;
  readonly #logger: ConnectorLogger | undefined;
  readonly #timeoutMs: number;
  readonly #retry: MoodleClientOptions['retry'];

  constructor(options: MoodleClientOptions) {
    const base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
    this.endpoint = new URL('webservice/rest/server.php', base).toString();
    this.#token = options.token;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#logger = options.logger;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#retry = options.retry;
  }

  /**
   * Calls one web service function and resolves with its decoded JSON answer
   * (`null` for functions that return nothing, e.g. `enrol_manual_enrol_users`).
   * Rejects with AuthFailedError, LmsNotFoundError, LmsUnavailableError,
   * RateLimitedError or a ConnectorError carrying the MoodleException as cause;
   * rejects with the signal's reason when the caller aborts. An unavailable or
   * rate-limiting site is retried first (the functions the connector calls are
   * reads, or writes Moodle applies idempotently).
   */
  call<T = unknown>(
    wsfunction: string,
    params: Record<string, PhpFormValue>,
    signal: AbortSignal,
  ): Promise<T> {
    return withRetry(() => this.#callOnce<T>(wsfunction, params, signal), { ...this.#retry, signal });
  }

  async #callOnce<T>(
    wsfunction: string,
    params: Record<string, PhpFormValue>,
    signal: AbortSignal,
  ): Promise<T> {
    signal.throwIfAborted();
    const body = encodePhpForm({ wstoken: this.#token, wsfunction, moodlewsrestformat: 'json', ...params });
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const started = Date.now();
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal: AbortSignal.any([signal, timeout]),
      });
      text = await response.text();
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (timeout.aborted) {
        throw new LmsUnavailableError(`Moodle did not answer ${wsfunction} within ${this.#timeoutMs} ms`, {
          cause: error,
        });
      }
      throw new LmsUnavailableError(`Moodle at ${this.endpoint} cannot be reached: ${messageOf(error)}`, {
        cause: error,
      });
    }
    this.#logger?.debug('moodle call', { wsfunction, status: response.status, ms: Date.now() - started });
    if (!response.ok)
      throw httpStatusError(response.status, this.endpoint, response.headers.get('retry-after'));
    let decoded: unknown;
    try {
      decoded = JSON.parse(text);
    } catch {
      // An HTML page (a login redirect, a proxy's error page, maintenance mode) instead of the REST server's JSON.
      throw new LmsUnavailableError(
        `Moodle answered ${wsfunction} with something that is not JSON (${text.slice(0, 60).trim() || 'an empty body'}…): check the site URL and that the REST protocol is enabled`,
      );
    }
    const exception = readMoodleException(decoded, wsfunction);
    if (exception) throw toConnectorError(exception);
    return decoded as T;
  }
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
