import type { KeyObject } from 'node:crypto';
import { AuthenticationError } from '@mathnet/kit';
import jwt from 'jsonwebtoken';
import { type Actor, claimsToActor } from './actor';

/** Turns a bearer token into the actor it was issued for. */
export interface TokenVerifier {
  /**
   * Verifies signature, issuer, audience and expiry and reads the actor.
   * Rejects with an `AuthenticationError` whose detail says what is wrong
   * (expired, bad signature, unknown key, malformed).
   */
  verify(token: string): Promise<Actor>;
}

/** Claim checks shared by every verifier. */
export interface TokenCheckOptions {
  /** Expected `iss`; default `mathnet`. */
  issuer?: string;
  /** Expected `aud`; default `mathnet`. */
  audience?: string;
  /** Allowed clock skew between issuer and verifier; default 5 s. */
  clockToleranceSeconds?: number;
  /** Clock in milliseconds since the epoch; for tests. */
  now?: () => number;
}

// A real access token is well under 2 KB; anything this long is not worth parsing.
const maxTokenLength = 8192;

/** Reads the `kid` from the token header without trusting anything else in it. */
export function tokenKid(token: string): string {
  if (token.length > maxTokenLength) throw new AuthenticationError('The token is malformed (too long)');
  const decoded = jwt.decode(token, { complete: true });
  if (!decoded || typeof decoded.header !== 'object') {
    throw new AuthenticationError('The token is malformed (not a JWT)');
  }
  const { kid } = decoded.header;
  if (typeof kid !== 'string' || kid.length === 0) {
    throw new AuthenticationError('The token is malformed (its header has no kid)');
  }
  return kid;
}

function describe(error: jwt.JsonWebTokenError, options: Required<Omit<TokenCheckOptions, 'now'>>): string {
  if (error instanceof jwt.TokenExpiredError) return `The token expired at ${error.expiredAt.toISOString()}`;
  if (error instanceof jwt.NotBeforeError) return `The token is not valid before ${error.date.toISOString()}`;
  const message = error.message;
  if (message === 'invalid signature') return 'The token signature is invalid';
  if (message.startsWith('jwt audience invalid')) {
    return `The token is meant for another audience (expected "${options.audience}")`;
  }
  if (message.startsWith('jwt issuer invalid')) {
    return `The token was issued by someone else (expected issuer "${options.issuer}")`;
  }
  if (message === 'invalid algorithm') return 'The token is not signed with RS256';
  if (message === 'jwt signature is required') return 'The token is not signed';
  if (message === 'jwt malformed' || message === 'invalid token' || message.startsWith('Unexpected token')) {
    return 'The token is malformed';
  }
  return `The token is invalid (${message})`;
}

/** Verifies a token with a known public key and reads its actor. */
export function verifyWithKey(token: string, key: KeyObject, options: TokenCheckOptions = {}): Actor {
  const checks = {
    issuer: options.issuer ?? 'mathnet',
    audience: options.audience ?? 'mathnet',
    clockToleranceSeconds: options.clockToleranceSeconds ?? 5,
  };
  let payload: string | jwt.JwtPayload;
  try {
    payload = jwt.verify(token, key, {
      algorithms: ['RS256'],
      issuer: checks.issuer,
      audience: checks.audience,
      clockTolerance: checks.clockToleranceSeconds,
      ...(options.now ? { clockTimestamp: Math.floor(options.now() / 1000) } : {}),
    });
  } catch (error) {
    if (error instanceof jwt.JsonWebTokenError) throw new AuthenticationError(describe(error, checks));
    throw error;
  }
  if (typeof payload === 'string')
    throw new AuthenticationError('The token is malformed (its payload is not JSON)');
  if (typeof payload.exp !== 'number') throw new AuthenticationError('The token has no expiry (exp)');
  const actor = claimsToActor(payload);
  if (!actor)
    throw new AuthenticationError('The token is malformed (sub, kind or roles missing or of the wrong type)');
  return actor;
}
