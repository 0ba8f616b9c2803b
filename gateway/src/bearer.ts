import type { Actor, TokenVerifier } from '@mathnet/auth';
import { AuthenticationError, sendProblem } from '@mathnet/kit';
import type { RequestHandler, Response } from 'express';

const bearerPattern = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i;

/** The actor of a verified bearer token, set by {@link resolveActor}. */
export function actorOf(res: Response): Actor | undefined {
  return res.locals.actor as Actor | undefined;
}

/**
 * Verifies the bearer token when there is one and keeps the actor in
 * `res.locals.actor` (the per-client rate limit keys on it); a missing or bad
 * token is remembered for {@link requireActor}, not answered here, so public
 * routes ignore it. A verifier that cannot load its keys fails the request (503).
 */
export function resolveActor(verifier: TokenVerifier): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization;
    if (header === undefined) return next();
    const token = bearerPattern.exec(header)?.[1];
    if (!token) {
      if (/^Bearer\b/i.test(header)) res.locals.authError = new AuthenticationError('The bearer token is malformed');
      return next();
    }
    try {
      res.locals.actor = await verifier.verify(token);
    } catch (error) {
      if (!(error instanceof AuthenticationError)) return next(error);
      res.locals.authError = error;
    }
    next();
  };
}

// RFC 6750 §3: quoted-string values; no quotes or backslashes inside.
function quoted(text: string): string {
  return `"${text.replace(/["\\]/g, "'")}"`;
}

/** 401 problem+json with `WWW-Authenticate: Bearer …` unless {@link resolveActor} found a valid token. */
export const requireActor: RequestHandler = (req, res, next) => {
  if (actorOf(res)) return next();
  const failure = res.locals.authError as AuthenticationError | undefined;
  const error = failure ?? new AuthenticationError('A bearer token is required (Authorization: Bearer <access token>)');
  const challenge = failure
    ? `Bearer realm="mathnet", error="invalid_token", error_description=${quoted(failure.message)}`
    : 'Bearer realm="mathnet"';
  res.setHeader('WWW-Authenticate', challenge);
  sendProblem(res, error, req.originalUrl);
};
