import {
  AuthFailedError,
  ConnectorError,
  LmsNotFoundError,
  LmsUnavailableError,
  RateLimitedError,
} from '@mathnet/lms-sdk';

/**
 * The exception Moodle's REST server reported. Moodle answers errors with
 * HTTP 200 and a body `{"exception", "errorcode", "message", "debuginfo"?}`
 * (webservice/rest/locallib.php, `generate_error`). Kept as the `cause` of the
 * typed connector error so callers can look at the Moodle error code.
 */
export class MoodleException extends Error {
  constructor(
    /** Moodle's PHP exception class, e.g. `moodle_exception`, `invalid_parameter_exception`. */
    readonly exception: string,
    /** Moodle's error string id, e.g. `invalidtoken`, `accessexception`, `invalidparameter`. */
    readonly errorcode: string | undefined,
    message: string,
    /** Only present when the Moodle site has debugging on. */
    readonly debuginfo: string | undefined,
    /** The web service function that was called. */
    readonly wsfunction: string,
  ) {
    super(message);
    this.name = 'MoodleException';
  }
}

/** The error codes that mean the token (or its user or service) may not do this: the connection needs an admin. */
const authCodes = new Set([
  'invalidtoken',
  'invalidtimedtoken',
  'invalidiptoken',
  'accessexception',
  'nopermissions',
  'usernotconfirmed',
  'wsaccessuserdeleted',
  'wsaccessusersuspended',
  'wsaccessusernologin',
  'wsaccessuserexpired',
  'forcepasswordchangenotice',
  'requireloginerror',
]);

/** The Moodle exception behind a connector error, if there is one. */
export function moodleExceptionOf(error: unknown): MoodleException | undefined {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 3; depth++) {
    if (current instanceof MoodleException) return current;
    current = current.cause;
  }
  return undefined;
}

/** Reads a Moodle REST exception body; undefined when the body is a normal answer. */
export function readMoodleException(body: unknown, wsfunction: string): MoodleException | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const record = body as Record<string, unknown>;
  if (typeof record.exception !== 'string' || typeof record.message !== 'string') return undefined;
  return new MoodleException(
    record.exception,
    typeof record.errorcode === 'string' ? record.errorcode : undefined,
    record.message,
    typeof record.debuginfo === 'string' ? record.debuginfo : undefined,
    wsfunction,
  );
}

/** Turns a Moodle exception into the typed connector error the bridge acts on. */
export function toConnectorError(ex: MoodleException): ConnectorError {
  const detail = `${ex.message}${ex.debuginfo ? ` (${ex.debuginfo.trim()})` : ''}`;
  const code = ex.errorcode ?? '';
  if (ex.exception === 'webservice_access_exception' || authCodes.has(code)) {
    return new AuthFailedError(
      `Moodle refused ${ex.wsfunction} for this token: ${detail} [${code || ex.exception}]`,
      {
        cause: ex,
      },
    );
  }
  if (code === 'servicenotavailable' || code === 'sitemaintenance') {
    return new LmsUnavailableError(`Moodle web service is not available: ${detail} [${code}]`, { cause: ex });
  }
  if (
    ex.exception === 'dml_missing_record_exception' ||
    code.startsWith('invalidrecord') ||
    code === 'invalidcourseid'
  ) {
    return withCause(
      new LmsNotFoundError(`Moodle ${ex.wsfunction}: ${detail} [${code || ex.exception}]`),
      ex,
    );
  }
  // invalid_parameter_exception and every other refusal: the call itself was refused, retrying will not help.
  return new ConnectorError('invalid_data', `Moodle ${ex.wsfunction}: ${detail} [${code || ex.exception}]`, {
    cause: ex,
  });
}

/** Maps an HTTP status that is not a Moodle answer (proxies, a disabled REST protocol, a wrong URL). */
export function httpStatusError(status: number, endpoint: string, retryAfter: string | null): ConnectorError {
  if (status === 429) {
    const seconds = Number(retryAfter);
    return new RateLimitedError(Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 60_000);
  }
  if (status === 401 || status === 403) {
    return new AuthFailedError(
      `Moodle refused the call with HTTP ${status}: check that web services and the REST protocol are enabled on the site`,
    );
  }
  if (status === 404) {
    return new LmsNotFoundError(`No Moodle REST server at ${endpoint} (HTTP 404): check the site URL`);
  }
  if (status >= 500) return new LmsUnavailableError(`Moodle answered HTTP ${status}`);
  return new ConnectorError('invalid_data', `Moodle answered HTTP ${status} to a web service call`);
}

/** Whether a push item that failed with this error may succeed when tried again later. */
export function isRetryable(error: unknown): boolean {
  return error instanceof LmsUnavailableError || error instanceof RateLimitedError;
}

function withCause<E extends Error>(error: E, cause: unknown): E {
  Object.defineProperty(error, 'cause', {
    value: cause,
    enumerable: false,
    configurable: true,
    writable: true,
  });
  return error;
}
