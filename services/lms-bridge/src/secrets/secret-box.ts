import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Seals connection secrets at rest with AES-256-GCM under the key from config
 * (`MATHNET_SECRETS_KEY`, 32 bytes base64). Sealed form: `v1.<iv>.<tag>.<ciphertext>`
 * in base64url; tampering or a wrong key makes `open` throw.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(keyBase64: string) {
    this.key = Buffer.from(keyBase64, 'base64');
    if (this.key.length !== 32) throw new Error('MATHNET_SECRETS_KEY must be 32 bytes, base64 encoded');
  }

  seal(value: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return [
      'v1',
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      ciphertext.toString('base64url'),
    ].join('.');
  }

  open(sealed: string): unknown {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || ciphertext === undefined) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plain = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
    return JSON.parse(plain.toString('utf8'));
  }
}

/** A fresh random key, base64 (for `MATHNET_SECRETS_KEY`). */
export function generateSecretsKey(): string {
  return randomBytes(32).toString('base64');
}
