import { AuthenticationError } from '@mathnet/kit';
import type { Request, RequestHandler } from 'express';
import type { Actor } from './actor';
import type { TokenVerifier } from './token-verifier';

/** Options of {@link authenticate}. */
export interface AuthenticateOptions {
  /**
   * Let requests without an Authorization header through with no `req.actor`.
   * A token that is present but invalid is still answered with 401.
   */
  optional?: boolean;
}

const bearer = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** Quotes a value for an auth-param (RFC 9110 quoted-string). */
function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&').replace(/[^\x20-\x7e]/g, '')}"`;
}

/**
 * Express middleware: reads `Authorization: Bearer <token>`, verifies it and sets
 * `req.actor`. Failures go to the error handler as `AuthenticationError` (401
 * problem+json) with a `WWW-Authenticate: Bearer …` header (RFC 6750):
 * `error="invalid_token"` when a token was given.
 */
export function authenticate(verifier: TokenVerifier, options: AuthenticateOptions = {}): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization;
    if (header === undefined || header === '') {
      if (options.optional) {
        next();
        return;
      }
      res.setHeader('WWW-Authenticate', 'Bearer realm="mathnet"');
      next(new AuthenticationError('A bearer token is required (Authorization: Bearer <access token>)'));
      return;
    }
    const match = bearer.exec(header);
    if (!match?.[1]) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="mathnet", error="invalid_request"');
      next(new AuthenticationError('The Authorization header must be "Bearer <access token>"'));
      return;
    }
    try {
      req.actor = await verifier.verify(match[1]);
      next();
    } catch (error) {
      if (error instanceof AuthenticationError) {
        res.setHeader(
          'WWW-Authenticate',
          `Bearer realm="mathnet", error="invalid_token", error_description=${quoted(error.message)}`,
        );
      }
      next(error);
    }
  };
}

/** The authenticated actor of a request; throws AuthenticationError when there is none. */
export function requireActor(req: Request): Actor {
  if (!req.actor) throw new AuthenticationError();
  return req.actor;
}
