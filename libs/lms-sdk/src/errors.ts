/**
 * Typed connector errors. The bridge decides what to do by type: auth failures
 * fail the run and mark the connection; rate limits wait `retryAfterMs`; an
 * unavailable LMS is retried with backoff; not found is reported.
 */
export class ConnectorError extends Error {
  constructor(
    readonly code:
      | 'auth_failed'
      | 'rate_limited'
      | 'not_found'
      | 'lms_unavailable'
      | 'invalid_data'
      | 'unsupported',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class AuthFailedError extends ConnectorError {
  constructor(message = 'The LMS refused the credentials', options?: { cause?: unknown }) {
    super('auth_failed', message, options);
  }
}

export class RateLimitedError extends ConnectorError {
  constructor(
    readonly retryAfterMs: number,
    message = `The LMS rate-limits this client; retry after ${retryAfterMs} ms`,
  ) {
    super('rate_limited', message);
  }
}

export class LmsNotFoundError extends ConnectorError {
  constructor(message: string) {
    super('not_found', message);
  }
}

export class LmsUnavailableError extends ConnectorError {
  constructor(message = 'The LMS does not answer', options?: { cause?: unknown }) {
    super('lms_unavailable', message, options);
  }
}

/** A record that cannot be used, with where it came from. Pulls report these in pages; they never stop a pull. */
export interface RejectedRecord {
  entity: string;
  sourcedId?: string;
  /** For file imports: the file name inside the archive and the 1-based line number. */
  file?: string;
  line?: number;
  reason: string;
}

export class InvalidDataError extends ConnectorError {
  constructor(readonly record: RejectedRecord) {
    super(
      'invalid_data',
      `${record.entity}${record.sourcedId ? ` ${record.sourcedId}` : ''}${record.file ? ` (${record.file}:${record.line ?? '?'})` : ''}: ${record.reason}`,
    );
  }
}

export class UnsupportedCapabilityError extends ConnectorError {
  constructor(capability: string, connectorId: string) {
    super('unsupported', `The connector ${connectorId} does not declare ${capability}`);
  }
}
