import type { TokenVerifier } from '@mathnet/auth';
import { AuthenticationError, sendProblem } from '@mathnet/kit';
import type { Request, RequestHandler, Response } from 'express';

const bearerPattern = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** Why a request has no actor, kept for {@link ensureActor}'s answer. */
interface AuthFailure {
  error: AuthenticationError;
  /** RFC 6750 error code of the `WWW-Authenticate` challenge. */
  code: 'invalid_request' | 'invalid_token';
}

// RFC 9110 quoted-string, printable ASCII only (as @mathnet/auth's authenticate writes it).
function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&').replace(/[^\x20-\x7e]/g, '')}"`;
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
    const header = req.headers.authorization;
    if (header === undefined || header === '') return next();
    const token = bearerPattern.exec(header)?.[1];
    if (!token) {
      const error = new AuthenticationError('The Authorization header must be "Bearer <access token>"');
      res.locals.authFailure = { error, code: 'invalid_request' } satisfies AuthFailure;
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
  const failure = res.locals.authFailure as AuthFailure | undefined;
  if (failure) {
    const description =
      failure.code === 'invalid_token' ? `, error_description=${quoted(failure.error.message)}` : '';
    res.setHeader('WWW-Authenticate', `Bearer realm="mathnet", error="${failure.code}"${description}`);
    sendProblem(res, failure.error, req.originalUrl);
    return false;
  }
  res.setHeader('WWW-Authenticate', 'Bearer realm="mathnet"');
  const error = new AuthenticationError('A bearer token is required (Authorization: Bearer <access token>)');
  sendProblem(res, error, req.originalUrl);
  return false;
}
