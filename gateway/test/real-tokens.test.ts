import {
  createJwksVerifier,
  generateSigningKey,
  jwksDocument,
  type SigningKey,
  TokenIssuer,
} from '@mathnet/auth';
import { expect } from 'chai';
import { problemOf, type RunningGateway, startGateway } from './support/gateway';
import { type Echo, startUpstream, type TestUpstream } from './support/upstream';

describe('gateway: real RS256 tokens verified with the registry JWKS', () => {
  let key: SigningKey;
  let registry: TestUpstream;
  let gateway: RunningGateway;
  const actor = { subject: 'person-7', kind: 'person' as const, roles: [] };

  before(async () => {
    key = generateSigningKey();
    registry = await startUpstream('registry', { jwks: jwksDocument([key]) });
    // As main.ts builds it: the verifier reads the registry's JWKS and caches the keys.
    const verifier = createJwksVerifier({ jwksUrl: `${registry.url}/.well-known/jwks.json` });
    gateway = await startGateway({ registry: registry.url }, { verifier });
  });
  after(async () => {
    await gateway.close();
    await registry.close();
  });

  const call = (token: string) =>
    fetch(`${gateway.url}/api/registry/v1/people/me`, { headers: { authorization: `Bearer ${token}` } });

  it('forwards a request with a valid token, the token included', async () => {
    const { accessToken } = new TokenIssuer({ key }).issueAccessToken(actor);
    const response = await call(accessToken);
    expect(response.status).to.equal(200);
    const seen = (await response.json()) as Echo;
    expect(seen.url).to.equal('/v1/people/me');
    expect(seen.headers.authorization).to.equal(`Bearer ${accessToken}`);
  });

  it('answers 401 invalid_token for a token of an unknown key and for an expired one', async () => {
    const forged = new TokenIssuer({ key: generateSigningKey() }).issueAccessToken(actor).accessToken;
    const unknown = await call(forged);
    expect(unknown.status).to.equal(401);
    expect(unknown.headers.get('www-authenticate')).to.contain('error="invalid_token"');
    expect((await problemOf(unknown)).detail).to.contain('unknown key');

    const hourAgo = Date.now() - 3_600_000;
    const old = new TokenIssuer({ key, now: () => hourAgo }).issueAccessToken(actor).accessToken;
    const expired = await call(old);
    expect(expired.status).to.equal(401);
    expect((await problemOf(expired)).detail).to.contain('expired');
  });

  it('verifies a token once, reuses it for at most a minute, and refuses it once expired', async () => {
    let now = Date.now();
    let verifications = 0;
    const jwks = createJwksVerifier({ jwksUrl: `${registry.url}/.well-known/jwks.json`, now: () => now });
    const counting = {
      verify(token: string) {
        verifications++;
        return jwks.verify(token);
      },
    };
    const cached = await startGateway(
      { registry: registry.url },
      { verifier: counting, tokenCache: { now: () => now } },
    );
    try {
      const { accessToken } = new TokenIssuer({ key, now: () => now }).issueAccessToken(actor);
      const call = () =>
        fetch(`${cached.url}/api/registry/v1/people/me`, {
          headers: { authorization: `Bearer ${accessToken}` },
        });
      for (let i = 0; i < 3; i++) expect((await call()).status).to.equal(200);
      expect(verifications).to.equal(1);

      now += 61_000; // past the cache's longest reuse: verified again, still valid
      expect((await call()).status).to.equal(200);
      expect((await call()).status).to.equal(200);
      expect(verifications).to.equal(2);

      now += 15 * 60_000; // past the token's exp (15 minutes after issue)
      const expired = await call();
      expect(expired.status).to.equal(401);
      expect(expired.headers.get('www-authenticate')).to.contain('error="invalid_token"');
      expect((await problemOf(expired)).detail).to.contain('expired');
      expect(verifications).to.equal(3);
    } finally {
      await cached.close();
    }
  });

  it('publishes the JWKS through the gateway', async () => {
    const response = await fetch(`${gateway.url}/.well-known/jwks.json`);
    expect(response.status).to.equal(200);
    expect(((await response.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid)).to.deep.equal([
      key.kid,
    ]);
  });
});
