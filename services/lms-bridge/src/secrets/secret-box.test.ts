import { expect } from 'chai';
import { generateSecretsKey, SecretBox } from './secret-box';

describe('SecretBox (AES-256-GCM)', () => {
  const box = new SecretBox(generateSecretsKey());
  it('round-trips and never shows the plaintext', () => {
    const sealed = box.seal({ token: 'moodle-secret-token' });
    expect(sealed).to.not.include('moodle-secret-token');
    expect(box.open(sealed)).to.deep.equal({ token: 'moodle-secret-token' });
    expect(box.seal({ token: 'x' })).to.not.equal(box.seal({ token: 'x' }));
  });
  it('refuses a tampered value or another key', () => {
    const sealed = box.seal({ token: 'abc' });
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'))).to.throw();
    expect(() => new SecretBox(generateSecretsKey()).open(sealed)).to.throw();
    expect(() => new SecretBox('c2hvcnQ=')).to.throw(/32 bytes/);
  });
});
