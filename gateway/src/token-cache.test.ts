import type { Actor, TokenVerifier } from '@mathnet/auth';
import { AuthenticationError } from '@mathnet/kit';
import { expect } from 'chai';
import { CachingVerifier } from './token-cache';

/** A JWT-shaped token (header.payload.signature) with this `exp`; the fake verifier below trusts it. */
function tokenWith(subject: string, exp?: number): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256' })}.${part({ sub: subject, ...(exp !== undefined ? { exp } : {}) })}.sig`;
}

/** Verifies by reading the payload, refusing tokens whose exp has passed on `clock`; counts its calls. */
function countingVerifier(clock: { now: number }): TokenVerifier & { calls: number } {
  return {
    calls: 0,
    async verify(token: string): Promise<Actor> {
      this.calls++;
      const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
        sub: string;
        exp?: number;
      };
      if (payload.exp !== undefined && payload.exp * 1000 <= clock.now) {
        throw new AuthenticationError('The token expired');
      }
      return { subject: payload.sub, kind: 'person', roles: [] };
    },
  };
}

describe('CachingVerifier', () => {
  const start = Date.UTC(2026, 0, 1);
  let clock: { now: number };
  let inner: ReturnType<typeof countingVerifier>;
  let cache: CachingVerifier;

  beforeEach(() => {
    clock = { now: start };
    inner = countingVerifier(clock);
    cache = new CachingVerifier(inner, { now: () => clock.now, maxAgeMs: 60_000, maxEntries: 3 });
  });

  it('verifies a token once and answers repeats from the cache', async () => {
    const token = tokenWith('ada', start / 1000 + 900);
    expect(cache.cached(token)).to.equal(undefined);
    const first = await cache.verify(token);
    expect(first.subject).to.equal('ada');
    for (let i = 0; i < 5; i++) expect((await cache.verify(token)).subject).to.equal('ada');
    expect(cache.cached(token)).to.equal(first);
    expect(inner.calls).to.equal(1);
  });

  it('reuses a verification for at most maxAgeMs, then verifies again', async () => {
    const token = tokenWith('ada', start / 1000 + 900);
    await cache.verify(token);
    clock.now = start + 59_999;
    await cache.verify(token);
    expect(inner.calls).to.equal(1);
    clock.now = start + 60_000;
    expect(cache.cached(token)).to.equal(undefined);
    await cache.verify(token);
    expect(inner.calls).to.equal(2);
  });

  it('stops at the token expiry: an expired token is refused, not served from the cache', async () => {
    const token = tokenWith('ada', start / 1000 + 10);
    await cache.verify(token);
    clock.now = start + 9_999;
    expect(cache.cached(token)?.subject).to.equal('ada');
    clock.now = start + 10_000;
    expect(cache.cached(token)).to.equal(undefined);
    let refused: unknown;
    try {
      await cache.verify(token);
    } catch (error) {
      refused = error;
    }
    expect(refused).to.be.instanceOf(AuthenticationError);
    expect(inner.calls).to.equal(2);
  });

  it('remembers no failures and no token without a readable exp', async () => {
    const noExp = tokenWith('bob');
    await cache.verify(noExp);
    await cache.verify(noExp);
    expect(inner.calls).to.equal(2);
    const expired = tokenWith('eve', start / 1000 - 1);
    for (let i = 0; i < 2; i++) {
      try {
        await cache.verify(expired);
      } catch {
        // refused each time, by the verifier
      }
    }
    expect(inner.calls).to.equal(4);
    expect(cache.size).to.equal(0);
  });

  it('keeps at most maxEntries, dropping the least recently used', async () => {
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((s) => tokenWith(s, start / 1000 + 900)) as [
      string,
      string,
      string,
      string,
    ];
    await cache.verify(a);
    await cache.verify(b);
    await cache.verify(c);
    expect(cache.cached(a)?.subject).to.equal('a'); // a is now the most recent
    await cache.verify(d); // b goes
    expect(cache.size).to.equal(3);
    expect(cache.cached(b)).to.equal(undefined);
    expect(cache.cached(a)?.subject).to.equal('a');
    expect(cache.cached(c)?.subject).to.equal('c');
    expect(cache.cached(d)?.subject).to.equal('d');
  });
});
