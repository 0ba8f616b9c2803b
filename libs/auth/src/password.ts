import { createHash, randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

// Cost: N=2^15, r=8, p=1 takes 32 MiB and ~50-120 ms per hash: twice Node's default, below
// OWASP's 2^17 so that a login burst of a whole school does not queue for seconds on a small
// server. The parameters are stored in each hash, so raising them later keeps old hashes valid.
const cost = { N: 2 ** 15, r: 8, p: 1 };
const keyLength = 32;
const saltLength = 16;
// Refuse parameters from a stored hash that would take unreasonable memory or time.
const maxN = 2 ** 20;
const maxP = 64;

function derive(plain: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
  const N = options.N ?? cost.N;
  const r = options.r ?? cost.r;
  return new Promise((resolve, reject) => {
    scrypt(plain.normalize('NFKC'), salt, length, { ...options, maxmem: 256 * N * r }, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

/** Hashes a password with scrypt and a random 16-byte salt: `scrypt$N$r$p$salt$hash` (base64url). */
export async function hashPassword(plain: string): Promise<string> {
  const salt = randomBytes(saltLength);
  const hash = await derive(plain, salt, keyLength, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** True when `plain` matches a hash from {@link hashPassword}; false for a wrong password or a malformed hash. */
export async function verifyPassword(plain: string, encoded: string): Promise<boolean> {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every(Number.isSafeInteger) || N < 2 || N > maxN || r < 1 || r > 32 || p < 1 || p > maxP)
    return false;
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const expected = Buffer.from(parts[5] ?? '', 'base64url');
  if (salt.length === 0 || expected.length < 16) return false;
  const actual = await derive(plain, salt, expected.length, { N, r, p });
  return timingSafeEqual(actual, expected);
}

/** SHA-256 hex of a token, for storing refresh tokens and the like without the token itself. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A random token of `bytes` random bytes, base64url (32 bytes give 43 characters). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
