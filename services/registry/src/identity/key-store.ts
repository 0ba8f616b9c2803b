import { generateSigningKey, type SigningKey } from '@mathnet/auth';
import type { Db } from '@mathnet/db';
import { desc, isNull } from 'drizzle-orm';
import { signingKeys } from '../store/schema';

/**
 * The key pairs registry signs with. On first start a key pair is generated and
 * kept in the service's storage; every key not retired is published in the JWKS
 * so tokens signed by any replica verify everywhere.
 */
export class KeyStore {
  private cache: SigningKey[] | undefined;

  constructor(private readonly db: Db) {}

  /** Makes sure at least one key exists (generating one on first start). */
  async ensureKey(): Promise<void> {
    if ((await this.activeKeys(true)).length > 0) return;
    const key = generateSigningKey();
    await this.db
      .insert(signingKeys)
      .values({ kid: key.kid, privateKeyPem: key.privateKeyPem, publicKeyPem: key.publicKeyPem })
      .onConflictDoNothing();
    await this.activeKeys(true);
  }

  /** Keys not retired, newest first. */
  async activeKeys(refresh = false): Promise<SigningKey[]> {
    if (this.cache && !refresh) return this.cache;
    const rows = await this.db
      .select()
      .from(signingKeys)
      .where(isNull(signingKeys.retiredAt))
      .orderBy(desc(signingKeys.createdAt));
    this.cache = rows.map((r) => ({
      kid: r.kid,
      privateKeyPem: r.privateKeyPem,
      publicKeyPem: r.publicKeyPem,
      createdAt: r.createdAt.toISOString(),
    }));
    return this.cache;
  }

  /** The key new tokens are signed with. */
  async currentKey(): Promise<SigningKey> {
    const [key] = await this.activeKeys();
    if (!key) throw new Error('no signing key: ensureKey() was not called at start-up');
    return key;
  }
}
