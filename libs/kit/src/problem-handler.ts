import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { HttpError, InputError, problemTypeBase } from './errors';
import { issuesOf } from './validate';

/** An RFC 9457 problem document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  [extension: string]: unknown;
}

/** Builds the problem document of an HttpError. */
export function toProblem(error: HttpError, instance?: string): Problem {
  return {
    type: `${problemTypeBase}${error.slug}`,
    title: error.title,
    status: error.status,
    detail: error.message,
    ...(instance ? { instance } : {}),
    ...error.extensions,
  };
}

interface BodyParserError {
  type: string;
  status: number;
  message: string;
  limit?: number;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return (
    typeof error === 'object' && error !== null && 'type' in error && 'status' in error && 'expose' in error
  );
}

/** Maps anything thrown in a request to an HttpError; unknown errors become a 500 that hides internals. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof ZodError)
    return new InputError('The request does not match the expected shape', issuesOf(error));
  if (isBodyParserError(error)) {
    switch (error.type) {
      case 'entity.too.large':
        return new HttpError(
          413,
          'payload-too-large',
          'Payload too large',
          `The body is larger than the limit of ${error.limit ?? '?'} bytes`,
        );
      case 'entity.parse.failed':
        return new InputError(`The body is not valid JSON: ${error.message}`);
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return new HttpError(415, 'unsupported-media-type', 'Unsupported media type', error.message);
      default:
        if (error.status >= 400 && error.status < 500)
          return new HttpError(error.status, 'bad-request', 'Bad request', error.message);
    }
  }
  return new HttpError(
    500,
    'internal',
    'Internal error',
    'Something went wrong on our side; it has been logged',
  );
}

/** Sends a problem+json answer. */
export function sendProblem(res: Parameters<RequestHandler>[1], error: HttpError, instance?: string): void {
  const problem = toProblem(error, instance);
  if (error.status === 429 && typeof error.extensions.retryAfter === 'number') {
    res.setHeader('Retry-After', String(error.extensions.retryAfter));
  }
  res.status(error.status).type('application/problem+json').send(JSON.stringify(problem));
}

/** The last middleware of every app: every error becomes problem+json; 5xx are logged with their stack. */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const httpError = toHttpError(error);
    if (httpError.status >= 500) logger.error({ err: error, reqId: req.id }, 'request failed');
    sendProblem(res, httpError, req.originalUrl);
  };
}

/** 404 for any route no router answered. */
export const notFoundHandler: RequestHandler = (req, res) => {
  sendProblem(
    res,
    new HttpError(404, 'not-found', 'Not found', `No route for ${req.method} ${req.path}`),
    req.originalUrl,
  );
};
