import type { TokenVerifier } from '@mathnet/auth';
import { AuthenticationError, sendProblem } from '@mathnet/kit';
import type { Request, RequestHandler, Response } from 'express';

const bearerPattern = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** Why a request has no actor, kept until the answer is a 401. */
export interface AuthFailure {
  error: AuthenticationError;
  /** RFC 6750 error code of the `WWW-Authenticate` challenge. */
  code: 'invalid_request' | 'invalid_token';
}

// RFC 9110 quoted-string, printable ASCII only (as @mathnet/auth's authenticate writes it).
function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&').replace(/[^\x20-\x7e]/g, '')}"`;
}

/** The token of an `Authorization` header; a failure when it is not `Bearer <token>`; undefined when absent. */
export function bearerToken(header: string | undefined): string | AuthFailure | undefined {
  if (header === undefined || header === '') return undefined;
  const token = bearerPattern.exec(header)?.[1];
  if (token) return token;
  const error = new AuthenticationError('The Authorization header must be "Bearer <access token>"');
  return { error, code: 'invalid_request' };
}

/** The 401 answer of a request without a valid token: its error and `WWW-Authenticate` challenge (RFC 6750). */
export function unauthenticated(failure: AuthFailure | undefined): {
  error: AuthenticationError;
  challenge: string;
} {
  if (!failure) {
    return {
      error: new AuthenticationError('A bearer token is required (Authorization: Bearer <access token>)'),
      challenge: 'Bearer realm="mathnet"',
    };
  }
  const description =
    failure.code === 'invalid_token' ? `, error_description=${quoted(failure.error.message)}` : '';
  return {
    error: failure.error,
    challenge: `Bearer realm="mathnet", error="${failure.code}"${description}`,
  };
}

/**
 * Verifies the bearer token when there is one and sets `req.actor` (the
 * per-client rate limit keys on it). Unlike `authenticate` from @mathnet/auth it
 * answers nothing itself: a missing or bad token is kept for {@link ensureActor},
 * so public routes ignore it and a flood of bad tokens is still limited by IP.
 * A verifier that cannot load its keys fails the request (503).
 */
export function resolveActor(verifier: TokenVerifier): RequestHandler {
  return async (req, res, next) => {
    const token = bearerToken(req.headers.authorization);
    if (token === undefined) return next();
    if (typeof token !== 'string') {
      res.locals.authFailure = token;
      return next();
    }
    try {
      req.actor = await verifier.verify(token);
    } catch (error) {
      if (!(error instanceof AuthenticationError)) return next(error);
      res.locals.authFailure = { error, code: 'invalid_token' } satisfies AuthFailure;
    }
    next();
  };
}

/**
 * True when {@link resolveActor} found a valid token; otherwise answers 401
 * problem+json with `WWW-Authenticate: Bearer …` (RFC 6750) and returns false.
 */
export function ensureActor(req: Request, res: Response): boolean {
  if (req.actor) return true;
  const { error, challenge } = unauthenticated(res.locals.authFailure as AuthFailure | undefined);
  res.setHeader('WWW-Authenticate', challenge);
  sendProblem(res, error, req.originalUrl);
  return false;
}
