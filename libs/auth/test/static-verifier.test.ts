import { expect } from 'chai';
import { createStaticVerifier, generateSigningKey, type SigningKey, TokenIssuer } from '../src/index';
import { coordinator, fakeClock } from './helpers';

describe('static verifier', () => {
  let first: SigningKey;
  let second: SigningKey;
  before(() => {
    first = generateSigningKey();
    second = generateSigningKey();
  });

  it('asks the key store once, again on a new kid, and not for every garbage kid', async () => {
    const clock = fakeClock(Date.now());
    let stored: SigningKey[] = [first];
    let loads = 0;
    const verifier = createStaticVerifier(
      async () => {
        loads += 1;
        return stored;
      },
      { now: clock.now },
    );
    const token = (key: SigningKey) =>
      new TokenIssuer({ key, now: clock.now }).issueAccessToken(coordinator).accessToken;
    await Promise.all([
      verifier.verify(token(first)),
      verifier.verify(token(first)),
      verifier.verify(token(first)),
    ]);
    expect(loads).to.equal(1);

    stored = [second, first];
    clock.advance(10_000);
    expect((await verifier.verify(token(second))).subject).to.equal(coordinator.subject);
    expect(loads).to.equal(2);

    const stranger = generateSigningKey();
    for (let i = 0; i < 20; i += 1) await verifier.verify(token(stranger)).catch(() => undefined);
    expect(loads).to.equal(2);
  });
});
