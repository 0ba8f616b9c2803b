import { AuthFailedError, type ConnectorLogger, LmsUnavailableError, withRetry } from '@mathnet/lms-sdk';
import type { RestConfig } from '../settings';
import { errorForResponse, networkError } from './http-errors';
import { TokenClient } from './token-client';

/** One answer of a collection endpoint. */
export interface RestAnswer {
  body: Record<string, unknown>;
  /** `X-Total-Count`, when the service sends it. */
  total?: number;
}

/** How the client retries (tests shorten the waits). */
export interface RestRetryOptions {
  /** Calls per request in all (default 3). */
  attempts?: number;
  /** First backoff after a 5xx or network failure (default 200 ms, doubling). */
  baseDelayMs?: number;
  /** A `Retry-After` longer than this is not waited for: RateLimitedError goes to the bridge (default 10 s). */
  maxDelayMs?: number;
}

/**
 * GETs of the OneRoster 1.2 REST binding with a Bearer token: a 401 renews the
 * token once and repeats the call (a second 401 is AuthFailedError); 429 waits
 * `Retry-After` when short, else RateLimitedError; 5xx and network failures are
 * retried with backoff, then LmsUnavailableError. The signal reaches every fetch.
 */
export class OneRosterRestClient {
  private readonly tokens: TokenClient;

  constructor(
    private readonly config: RestConfig,
    private readonly fetchFn: typeof fetch,
    private readonly logger?: ConnectorLogger,
    private readonly retry: RestRetryOptions = {},
  ) {
    this.tokens = new TokenClient(config, fetchFn);
  }

  /** Fetches a token (checks the credentials). */
  token(signal: AbortSignal): Promise<string> {
    return withRetry(() => this.tokens.get(signal), this.retryOptions(signal));
  }

  /** GET `${baseUrl}${path}?query` as JSON. */
  get(path: string, query: Record<string, string>, signal: AbortSignal): Promise<RestAnswer> {
    const url = `${this.config.baseUrl}${path}?${new URLSearchParams(query).toString()}`;
    return withRetry(async (attempt) => {
      if (attempt > 1) this.logger?.debug('OneRoster request retried', { path, attempt });
      return this.getOnce(url, path, signal);
    }, this.retryOptions(signal));
  }

  private retryOptions(signal: AbortSignal) {
    return {
      signal,
      attempts: this.retry.attempts ?? 3,
      baseDelayMs: this.retry.baseDelayMs ?? 200,
      maxDelayMs: this.retry.maxDelayMs ?? 10_000,
    };
  }

  private async getOnce(url: string, path: string, signal: AbortSignal): Promise<RestAnswer> {
    const what = `GET ${path}`;
    let response: Response | undefined;
    for (let renewed = false; ; renewed = true) {
      const token = await this.tokens.get(signal);
      try {
        response = await this.fetchFn(url, {
          headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
          signal,
        });
      } catch (error) {
        throw networkError(error, signal, what);
      }
      if (response.status !== 401) break;
      await response.body?.cancel();
      // A token may be revoked before it expires: renew once, then it is the credentials.
      this.tokens.invalidate();
      if (renewed) throw new AuthFailedError(`${what}: the OneRoster service refused a fresh token (401)`);
    }
    if (!response.ok) throw await errorForResponse(response, what);
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      throw networkError(error, signal, `${what} (reading JSON)`);
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw new LmsUnavailableError(`${what}: the answer is not a JSON object`);
    }
    const header = response.headers.get('x-total-count');
    const total = header !== null && /^\d+$/.test(header.trim()) ? Number(header) : undefined;
    return total === undefined
      ? { body: body as Record<string, unknown> }
      : { body: body as Record<string, unknown>, total };
  }
}
