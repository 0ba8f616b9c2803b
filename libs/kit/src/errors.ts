/**
 * The small typed set of errors every mathnet process throws. The express error
 * middleware (`problemHandler`) turns each into an RFC 9457 problem+json answer
 * with a stable `type`.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    /** Stable problem type slug, e.g. `invalid-input`; becomes `https://mathnet.dev/problems/<slug>`. */
    readonly slug: string,
    readonly title: string,
    detail: string,
    /** Extra members of the problem document (e.g. `errors` for validation issues). */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = new.target.name;
  }
}

export interface FieldIssue {
  /** JSON pointer-ish dotted path of the offending value, `''` for the whole body. */
  path: string;
  message: string;
}

export class InputError extends HttpError {
  constructor(
    detail: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(400, 'invalid-input', 'Invalid input', detail, issues.length ? { errors: issues } : {});
  }
}
export class AuthenticationError extends HttpError {
  constructor(detail = 'A valid bearer token is required') {
    super(401, 'unauthenticated', 'Authentication required', detail);
  }
}
export class NotAllowedError extends HttpError {
  constructor(detail = 'You are not allowed to do this') {
    super(403, 'forbidden', 'Forbidden', detail);
  }
}
export class NotFoundError extends HttpError {
  constructor(detail = 'Not found') {
    super(404, 'not-found', 'Not found', detail);
  }
}
export class ConflictError extends HttpError {
  constructor(detail: string, extensions: Record<string, unknown> = {}) {
    super(409, 'conflict', 'Conflict', detail, extensions);
  }
}
export class PreconditionFailedError extends HttpError {
  constructor(detail = 'The resource changed since you read it (If-Match does not match the current ETag)') {
    super(412, 'precondition-failed', 'Precondition failed', detail);
  }
}
export class PayloadTooLargeError extends HttpError {
  constructor(detail: string) {
    super(413, 'payload-too-large', 'Payload too large', detail);
  }
}
export class UnsupportedMediaTypeError extends HttpError {
  constructor(detail: string) {
    super(415, 'unsupported-media-type', 'Unsupported media type', detail);
  }
}
export class TooManyRequestsError extends HttpError {
  constructor(detail: string, retryAfterSeconds?: number) {
    super(
      429,
      'too-many-requests',
      'Too many requests',
      detail,
      retryAfterSeconds ? { retryAfter: retryAfterSeconds } : {},
    );
  }
}
export class ServiceUnavailableError extends HttpError {
  constructor(detail: string) {
    super(503, 'service-unavailable', 'Service unavailable', detail);
  }
}

/** The base URI of mathnet problem types. */
export const problemTypeBase = 'https://mathnet.dev/problems/';
