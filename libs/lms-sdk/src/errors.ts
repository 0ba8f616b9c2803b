/** Marks errors of every copy of this SDK (a registered symbol is the same in each copy). */
const brand: unique symbol = Symbol.for('@mathnet/lms-sdk/ConnectorError') as never;

function isInstance(cls: typeof ConnectorError, value: unknown): boolean {
  if (Function.prototype[Symbol.hasInstance].call(cls, value)) return true;
  if (!value || typeof value !== 'object' || (value as { [brand]?: unknown })[brand] !== true) return false;
  if (cls === ConnectorError) return true;
  return Object.hasOwn(cls, 'errorCode') && cls.errorCode === (value as ConnectorError).code;
}

/**
 * Typed connector errors. The bridge decides what to do by type: auth failures
 * fail the run and mark the connection; rate limits wait `retryAfterMs`; an
 * unavailable LMS is retried with backoff; not found is reported.
 */
export class ConnectorError extends Error {
  /** The code of every instance of an SDK subclass; the cross-copy `instanceof` below matches by it. */
  static readonly errorCode: ConnectorError['code'] | undefined = undefined;

  /**
   * `instanceof` that also recognises errors made by another copy of this SDK:
   * a connector package resolving its own copy, or the ESM and CommonJS
   * instances of one file when tests mix `import()` and `require`. SDK classes
   * match by code; a connector's own subclasses match by prototype only.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class instanceof asks about (maybe a subclass)
    return isInstance(this, value);
  }

  readonly [brand] = true;

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
  static override readonly errorCode = 'auth_failed' as const;

  constructor(message = 'The LMS refused the credentials', options?: { cause?: unknown }) {
    super('auth_failed', message, options);
  }
}

export class RateLimitedError extends ConnectorError {
  static override readonly errorCode = 'rate_limited' as const;

  constructor(
    readonly retryAfterMs: number,
    message = `The LMS rate-limits this client; retry after ${retryAfterMs} ms`,
  ) {
    super('rate_limited', message);
  }
}

export class LmsNotFoundError extends ConnectorError {
  static override readonly errorCode = 'not_found' as const;

  constructor(message: string) {
    super('not_found', message);
  }
}

export class LmsUnavailableError extends ConnectorError {
  static override readonly errorCode = 'lms_unavailable' as const;

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
  static override readonly errorCode = 'invalid_data' as const;

  constructor(readonly record: RejectedRecord) {
    super(
      'invalid_data',
      `${record.entity}${record.sourcedId ? ` ${record.sourcedId}` : ''}${record.file ? ` (${record.file}:${record.line ?? '?'})` : ''}: ${record.reason}`,
    );
  }
}

export class UnsupportedCapabilityError extends ConnectorError {
  static override readonly errorCode = 'unsupported' as const;

  constructor(capability: string, connectorId: string) {
    super('unsupported', `The connector ${connectorId} does not declare ${capability}`);
  }
}
