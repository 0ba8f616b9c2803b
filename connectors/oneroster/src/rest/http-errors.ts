import {
  AuthFailedError,
  ConnectorError,
  LmsNotFoundError,
  LmsUnavailableError,
  RateLimitedError,
} from '@mathnet/lms-sdk';

/** Milliseconds to wait from a `Retry-After` header (seconds or an HTTP date); 1 s when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number {
  if (header) {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.max(1, Math.round(seconds * 1000));
    const date = Date.parse(header);
    if (!Number.isNaN(date)) return Math.max(1, date - now);
  }
  return 1000;
}

/**
 * The `imsx_description` of a OneRoster error body (imsx_StatusInfo), or the
 * OAuth `error` code of a token endpoint answer; never the whole body, which
 * might echo what was sent.
 */
export async function describeErrorBody(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.json()) as Record<string, unknown>;
    const description = body.imsx_description ?? body.error;
    return typeof description === 'string' ? description.slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}

/** The typed error for a failed HTTP answer of the OneRoster service. */
export async function errorForResponse(response: Response, what: string): Promise<ConnectorError> {
  const detail = await describeErrorBody(response);
  const suffix = detail ? `: ${detail}` : '';
  const status = response.status;
  if (status === 401 || status === 403) {
    return new AuthFailedError(`${what}: the OneRoster service answered ${status}${suffix}`);
  }
  if (status === 429) return new RateLimitedError(retryAfterMs(response.headers.get('retry-after')));
  if (status === 404) return new LmsNotFoundError(`${what}: the OneRoster service answered 404${suffix}`);
  if (status >= 500)
    return new LmsUnavailableError(`${what}: the OneRoster service answered ${status}${suffix}`);
  return new ConnectorError('unsupported', `${what}: the OneRoster service answered ${status}${suffix}`);
}

/** Wraps a network failure of fetch; an abort is rethrown as it is (it is not an LMS failure). */
export function networkError(error: unknown, signal: AbortSignal, what: string): unknown {
  if (signal.aborted) return signal.reason;
  if (error instanceof ConnectorError) return error;
  if ((error as { name?: string } | null)?.name === 'AbortError') return error;
  return new LmsUnavailableError(
    `${what}: the OneRoster service cannot be reached (${(error as Error)?.message ?? error})`,
    {
      cause: error,
    },
  );
}
