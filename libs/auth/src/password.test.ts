import { expect } from 'chai';
import { hashPassword, hashToken, randomToken, verifyPassword } from './password';

describe('password hashing', () => {
  it('hashes as scrypt$N$r$p$salt$hash and verifies the right password only', async () => {
    const encoded = await hashPassword('correct horse battery staple');
    const parts = encoded.split('$');
    expect(parts).to.have.length(6);
    expect(parts.slice(0, 4)).to.deep.equal(['scrypt', '32768', '8', '1']);
    expect(Buffer.from(parts[4]!, 'base64url')).to.have.length(16);
    expect(await verifyPassword('correct horse battery staple', encoded)).to.equal(true);
    expect(await verifyPassword('correct horse battery stapler', encoded)).to.equal(false);
    expect(await verifyPassword('', encoded)).to.equal(false);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);
    expect(a).not.to.equal(b);
    expect(await verifyPassword('same', b)).to.equal(true);
  });

  it('verifies hashes made with other stored parameters', async () => {
    // Parameters live in the hash, so hashes from an older cost setting keep working.
    const { scryptSync } = await import('node:crypto');
    const salt = Buffer.from('0123456789abcdef');
    const hash = scryptSync('old password', salt, 32, { N: 1024, r: 8, p: 1 });
    const encoded = `scrypt$1024$8$1$${salt.toString('base64url')}$${hash.toString('base64url')}`;
    expect(await verifyPassword('old password', encoded)).to.equal(true);
    expect(await verifyPassword('new password', encoded)).to.equal(false);
  });

  it('answers false for malformed or absurd hashes instead of throwing', async () => {
    for (const encoded of [
      '',
      'plain',
      'bcrypt$1$2$3$4$5',
      'scrypt$x$8$1$c2FsdA$aGFzaA',
      'scrypt$1073741824$8$1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2g',
    ]) {
      expect(await verifyPassword('pw', encoded), encoded).to.equal(false);
    }
  });

  it('hashToken is the SHA-256 hex of the token', () => {
    expect(hashToken('abc')).to.equal('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('randomToken gives base64url of the asked number of bytes', () => {
    const token = randomToken();
    expect(token).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken(16)).to.match(/^[A-Za-z0-9_-]{22}$/);
    expect(randomToken()).not.to.equal(token);
  });
});
