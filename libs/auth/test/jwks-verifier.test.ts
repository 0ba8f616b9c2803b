import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthenticationError, ServiceUnavailableError } from '@mathnet/kit';
import { expect } from 'chai';
import {
  createJwksVerifier,
  generateSigningKey,
  jwksDocument,
  type SigningKey,
  TokenIssuer,
  type TokenVerifier,
} from '../src/index';
import { coordinator, fakeClock } from './helpers';

/** A real JWKS endpoint on port 0 that counts its requests; `published` and `status` can change. */
async function startJwksServer(): Promise<{
  url: string;
  fetches: () => number;
  publish(keys: SigningKey[]): void;
  fail(status: number | undefined): void;
  close(): Promise<void>;
}> {
  let published: SigningKey[] = [];
  let failing: number | undefined;
  let count = 0;
  const server: Server = createServer((_req, res) => {
    count += 1;
    if (failing) {
      res.writeHead(failing).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwksDocument(published)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    fetches: () => count,
    publish: (keys) => {
      published = keys;
    },
    fail: (status) => {
      failing = status;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('JWKS verifier', () => {
  let jwks: Awaited<ReturnType<typeof startJwksServer>>;
  let current: SigningKey;
  let next: SigningKey;

  before(async () => {
    current = generateSigningKey();
    next = generateSigningKey();
    jwks = await startJwksServer();
  });
  after(() => jwks.close());
  beforeEach(() => {
    jwks.publish([current]);
    jwks.fail(undefined);
  });

  function verifierAt(clock: ReturnType<typeof fakeClock>, errors: Error[] = []): TokenVerifier {
    return createJwksVerifier({ jwksUrl: jwks.url, now: clock.now, onRefreshError: (e) => errors.push(e) });
  }

  it('fetches the JWKS once for many verifications, also concurrent ones', async () => {
    const clock = fakeClock(Date.now());
    const verifier = verifierAt(clock);
    const before = jwks.fetches();
    const tokens = Array.from({ length: 50 }, () =>
      new TokenIssuer({ key: current }).issueAccessToken(coordinator),
    );
    const actors = await Promise.all(tokens.map((t) => verifier.verify(t.accessToken)));
    expect(actors.every((a) => a.subject === coordinator.subject)).to.equal(true);
    for (const t of tokens) await verifier.verify(t.accessToken);
    expect(jwks.fetches() - before).to.equal(1);
  });

  it('refetches on an unknown kid (key rotation) and then knows the new key', async () => {
    const clock = fakeClock(Date.now());
    const verifier = verifierAt(clock);
    const before = jwks.fetches();
    await verifier.verify(
      new TokenIssuer({ key: current, now: clock.now }).issueAccessToken(coordinator).accessToken,
    );
    jwks.publish([next, current]);
    clock.advance(10_000);
    const rotated = new TokenIssuer({ key: next, now: clock.now }).issueAccessToken(coordinator).accessToken;
    expect((await verifier.verify(rotated)).subject).to.equal(coordinator.subject);
    await verifier.verify(rotated);
    expect(jwks.fetches() - before).to.equal(2);
  });

  it('refetches at most once per 10 s however many unknown kids arrive', async () => {
    const clock = fakeClock(Date.now());
    const verifier = verifierAt(clock);
    await verifier.verify(
      new TokenIssuer({ key: current, now: clock.now }).issueAccessToken(coordinator).accessToken,
    );
    const before = jwks.fetches();
    const strangers = Array.from({ length: 5 }, () => generateSigningKey());
    const garbage = strangers.map((key) =>
      new TokenIssuer({ key, now: clock.now }).issueAccessToken(coordinator),
    );

    clock.advance(10_000);
    const first = await Promise.all(garbage.map((t) => rejection(verifier.verify(t.accessToken))));
    for (let i = 0; i < 100; i += 1) {
      clock.advance(50);
      await rejection(verifier.verify(garbage[i % garbage.length]!.accessToken));
    }
    expect(jwks.fetches() - before).to.equal(1);
    expect(first[0]).to.be.instanceOf(AuthenticationError);
    expect(first[0]!.message).to.match(/^The token was signed with an unknown key \(kid /);

    clock.advance(5_000); // 10 s after the refetch
    await rejection(verifier.verify(garbage[0]!.accessToken));
    expect(jwks.fetches() - before).to.equal(2);
  });

  it('refetches when the cache TTL has passed', async () => {
    const clock = fakeClock(Date.now());
    const verifier = verifierAt(clock);
    const before = jwks.fetches();
    const issuer = new TokenIssuer({ key: current, now: clock.now, accessTtlSeconds: 3600 });
    await verifier.verify(issuer.issueAccessToken(coordinator).accessToken);
    clock.advance(599_000);
    await verifier.verify(issuer.issueAccessToken(coordinator).accessToken);
    expect(jwks.fetches() - before).to.equal(1);
    clock.advance(1_000);
    await verifier.verify(issuer.issueAccessToken(coordinator).accessToken);
    expect(jwks.fetches() - before).to.equal(2);
  });

  it('keeps verifying with cached keys while the JWKS is down', async () => {
    const clock = fakeClock(Date.now());
    const errors: Error[] = [];
    const verifier = verifierAt(clock, errors);
    const issuer = new TokenIssuer({ key: current, now: clock.now, accessTtlSeconds: 3600 });
    await verifier.verify(issuer.issueAccessToken(coordinator).accessToken);
    jwks.fail(503);
    clock.advance(600_000);
    expect((await verifier.verify(issuer.issueAccessToken(coordinator).accessToken)).subject).to.equal(
      coordinator.subject,
    );
    expect(errors.map((e) => e.message)).to.deep.equal(['HTTP 503']);
  });

  it('answers 503 (not 401) when it has never been able to load keys', async () => {
    jwks.fail(500);
    const clock = fakeClock(Date.now());
    const verifier = verifierAt(clock);
    const error = await rejection(
      verifier.verify(
        new TokenIssuer({ key: current, now: clock.now }).issueAccessToken(coordinator).accessToken,
      ),
    );
    expect(error).to.be.instanceOf(ServiceUnavailableError);
    expect(error.message).to.equal(`Cannot load the token signing keys from ${jwks.url}: HTTP 500`);
  });

  it('uses the given fetchImpl and ignores keys that are not RS256 signature keys', async () => {
    const urls: string[] = [];
    const document = {
      keys: [
        { kty: 'EC', kid: 'ec' },
        { ...jwksDocument([next]).keys[0], use: 'enc' },
        ...jwksDocument([current]).keys,
      ],
    };
    const fetchImpl: typeof fetch = async (input) => {
      urls.push(String(input));
      return new Response(JSON.stringify(document), { headers: { 'content-type': 'application/json' } });
    };
    const verifier = createJwksVerifier({ jwksUrl: 'http://registry.test/jwks', fetchImpl });
    await verifier.verify(new TokenIssuer({ key: current }).issueAccessToken(coordinator).accessToken);
    const error = await rejection(
      verifier.verify(new TokenIssuer({ key: next }).issueAccessToken(coordinator).accessToken),
    );
    expect(error.message).to.match(/unknown key/);
    expect(urls).to.deep.equal(['http://registry.test/jwks']);
  });
});
