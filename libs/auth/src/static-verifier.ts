import { createPublicKey, type KeyObject } from 'node:crypto';
import { KeyCache } from './key-cache';
import type { SigningKey } from './signing-key';
import { type TokenCheckOptions, type TokenVerifier, tokenKid, verifyWithKey } from './token-verifier';

/** Options of {@link createStaticVerifier}. */
export interface StaticVerifierOptions extends TokenCheckOptions {
  /** Ask `getPublicKeys` again after this long; default 600000 (10 minutes). */
  cacheTtlMs?: number;
  /** At most one call of `getPublicKeys` per this interval however many unknown kids arrive; default 10000. */
  minRefreshIntervalMs?: number;
  /** Told about a failed load (verification keeps using the keys it has). */
  onRefreshError?: (error: Error) => void;
}

type PublicKeys = Pick<SigningKey, 'kid' | 'publicKeyPem'>[];

/**
 * A verifier for the issuer itself (the registry verifies its own tokens
 * without HTTP): keys come from `getPublicKeys` (e.g. its key table), parsed
 * once into KeyObjects and cached like the JWKS verifier does.
 */
export function createStaticVerifier(
  getPublicKeys: () => Promise<PublicKeys> | PublicKeys,
  options: StaticVerifierOptions = {},
): TokenVerifier {
  const cache = new KeyCache({
    source: 'the issuer key store',
    load: async () => {
      const keys = new Map<string, KeyObject>();
      for (const key of await getPublicKeys()) keys.set(key.kid, createPublicKey(key.publicKeyPem));
      return keys;
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
