import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';

/** An RS256 signing key pair as the registry stores it. */
export interface SigningKey {
  /** Key id: the RFC 7638 SHA-256 thumbprint of the public JWK, base64url. */
  kid: string;
  privateKeyPem: string;
  publicKeyPem: string;
  /** ISO 8601 time of creation (for rotation). */
  createdAt: string;
}

/** The public half of a signing key as published in the JWKS. */
export type PublicJwk = JsonWebKey & { kid: string; alg: 'RS256'; use: 'sig' };

/** RFC 7638 thumbprint of an RSA public JWK: SHA-256 over `{"e","kty","n"}` in lexicographic order. */
function rsaThumbprint(jwk: JsonWebKey): string {
  const canonical = JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n });
  return createHash('sha256').update(canonical).digest('base64url');
}

/** The RFC 7638 thumbprint (the `kid`) of a public key. */
export function keyThumbprint(publicKey: KeyObject | string): string {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  return rsaThumbprint(key.export({ format: 'jwk' }));
}

/** Generates a fresh RSA 2048 signing key; its `kid` is the thumbprint of the public key. */
export function generateSigningKey(): SigningKey {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    kid: keyThumbprint(publicKey),
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    createdAt: new Date().toISOString(),
  };
}

/** The public JWK of a signing key, as published at `/.well-known/jwks.json`. */
export function publicJwk(key: Pick<SigningKey, 'kid' | 'publicKeyPem'>): PublicJwk {
  const { kty, n, e } = createPublicKey(key.publicKeyPem).export({ format: 'jwk' });
  return { kty, n, e, kid: key.kid, alg: 'RS256', use: 'sig' };
}

/** The JWKS document (RFC 7517) of the given keys: the current key and those still valid for verification. */
export function jwksDocument(keys: Pick<SigningKey, 'kid' | 'publicKeyPem'>[]): { keys: PublicJwk[] } {
  return { keys: keys.map(publicJwk) };
}
