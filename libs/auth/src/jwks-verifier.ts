import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { KeyCache } from './key-cache';
import { type TokenCheckOptions, type TokenVerifier, tokenKid, verifyWithKey } from './token-verifier';

/** Options of {@link createJwksVerifier}. */
export interface JwksVerifierOptions extends TokenCheckOptions {
  /** Where the issuer publishes its keys, e.g. `http://registry:3000/.well-known/jwks.json`. */
  jwksUrl: string;
  /** Refetch the JWKS after this long; default 600000 (10 minutes). */
  cacheTtlMs?: number;
  /** At most one fetch per this interval however many unknown kids arrive; default 10000. */
  minRefreshIntervalMs?: number;
  /** Time limit of one JWKS fetch; default 5000. */
  fetchTimeoutMs?: number;
  /** `fetch` to use; default the global one. */
  fetchImpl?: typeof fetch;
  /** Told about a failed fetch (verification keeps using the keys it has). */
  onRefreshError?: (error: Error) => void;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a JWKS document into RS256 signature keys by kid; other keys are ignored. */
export function parseJwks(document: unknown): Map<string, KeyObject> {
  if (!isRecord(document) || !Array.isArray(document.keys)) {
    throw new Error('the answer is not a JWKS document (no "keys" array)');
  }
  const keys = new Map<string, KeyObject>();
  for (const jwk of document.keys) {
    if (!isRecord(jwk) || jwk.kty !== 'RSA' || typeof jwk.kid !== 'string') continue;
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    if (jwk.alg !== undefined && jwk.alg !== 'RS256') continue;
    if (typeof jwk.n !== 'string' || typeof jwk.e !== 'string') continue;
    const key: JsonWebKey = { kty: 'RSA', n: jwk.n, e: jwk.e };
    keys.set(jwk.kid, createPublicKey({ key, format: 'jwk' }));
  }
  return keys;
}

/**
 * A verifier for services and the gateway: public keys come from the issuer's
 * JWKS over HTTP, are parsed once into KeyObjects and cached by kid. The JWKS is
 * fetched again when the cache is older than `cacheTtlMs` or a token names an
 * unknown kid (key rotation), at most once per `minRefreshIntervalMs`.
 */
export function createJwksVerifier(options: JwksVerifierOptions): TokenVerifier {
  const fetchImpl = options.fetchImpl ?? fetch;
  const timeoutMs = options.fetchTimeoutMs ?? 5000;
  const cache = new KeyCache({
    source: options.jwksUrl,
    load: async () => {
      const response = await fetchImpl(options.jwksUrl, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return parseJwks(await response.json());
    },
    cacheTtlMs: options.cacheTtlMs,
    minRefreshIntervalMs: options.minRefreshIntervalMs,
    now: options.now,
    onRefreshError: options.onRefreshError,
  });
  return {
    async verify(token) {
      const key = await cache.keyFor(tokenKid(token));
      return verifyWithKey(token, key, options);
    },
  };
}
