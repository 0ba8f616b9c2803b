import { createPublicKey } from 'node:crypto';
import { AuthenticationError } from '@mathnet/kit';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import {
  createStaticVerifier,
  generateSigningKey,
  jwksDocument,
  keyThumbprint,
  publicJwk,
  type SigningKey,
  TokenIssuer,
  type TokenVerifier,
} from '../src/index';
import { coordinator, fakeClock } from './helpers';

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('signing keys and tokens', () => {
  let key: SigningKey;
  let otherKey: SigningKey;
  let issuer: TokenIssuer;
  let verifier: TokenVerifier;

  before(() => {
    key = generateSigningKey();
    otherKey = generateSigningKey();
    issuer = new TokenIssuer({ key });
    verifier = createStaticVerifier(() => [key]);
  });

  it('computes the kid as the RFC 7638 thumbprint (the RFC example key)', () => {
    const n =
      '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
    const publicKey = createPublicKey({ key: { kty: 'RSA', n, e: 'AQAB' }, format: 'jwk' });
    expect(keyThumbprint(publicKey)).to.equal('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('generates RSA 2048 keys whose kid is their thumbprint', () => {
    const publicKey = createPublicKey(key.publicKeyPem);
    expect(publicKey.asymmetricKeyType).to.equal('rsa');
    expect(publicKey.asymmetricKeyDetails?.modulusLength).to.equal(2048);
    expect(key.kid).to.equal(keyThumbprint(key.publicKeyPem));
    expect(key.kid).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(key.privateKeyPem).to.contain('BEGIN PRIVATE KEY');
    expect(Date.parse(key.createdAt)).to.be.a('number').and.not.NaN;
    expect(otherKey.kid).not.to.equal(key.kid);
  });

  it('publishes public JWKs only', () => {
    const jwk = publicJwk(key);
    expect(Object.keys(jwk).sort()).to.deep.equal(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(jwk).to.include({ kid: key.kid, alg: 'RS256', use: 'sig', kty: 'RSA', e: 'AQAB' });
    expect(jwksDocument([key, otherKey]).keys.map((k) => k.kid)).to.deep.equal([key.kid, otherKey.kid]);
  });

  it('issues tokens with the agreed claims and header', () => {
    const { accessToken, expiresIn } = issuer.issueAccessToken(coordinator);
    expect(expiresIn).to.equal(900);
    const decoded = jwt.decode(accessToken, { complete: true });
    expect(decoded?.header).to.deep.include({ alg: 'RS256', kid: key.kid, typ: 'JWT' });
    const payload = decoded?.payload as jwt.JwtPayload;
    expect(Object.keys(payload).sort()).to.deep.equal(
      ['aud', 'exp', 'iat', 'iss', 'jti', 'kind', 'name', 'roles', 'sub'].sort(),
    );
    expect(payload).to.deep.include({
      sub: coordinator.subject,
      kind: 'person',
      iss: 'mathnet',
      aud: 'mathnet',
    });
    expect(payload.exp! - payload.iat!).to.equal(900);
    expect(payload.roles).to.deep.equal([
      { r: 'school_admin', o: '0190d1c2-0000-7000-8000-00000000000a' },
      { r: 'teacher', o: '0190d1c2-0000-7000-8000-00000000000b' },
      { r: 'parent', o: '0190d1c2-0000-7000-8000-00000000000a', s: '0190d1c2-0000-7000-8000-000000000002' },
    ]);
  });

  it('verifies its own tokens back into the same actor', async () => {
    const { accessToken } = issuer.issueAccessToken(coordinator);
    expect(await verifier.verify(accessToken)).to.deep.equal(coordinator);
    const machine = { subject: 'moodle-school-a', kind: 'client' as const, roles: [] };
    expect(await verifier.verify(issuer.issueAccessToken(machine).accessToken)).to.deep.equal(machine);
  });

  it('rejects an expired token, saying when it expired', async () => {
    const clock = fakeClock();
    const old = new TokenIssuer({ key, accessTtlSeconds: 60, now: clock.now });
    const { accessToken } = old.issueAccessToken(coordinator);
    const error = await rejection(verifier.verify(accessToken));
    expect(error).to.be.instanceOf(AuthenticationError);
    expect(error.message).to.equal(`The token expired at ${new Date(clock.now() + 60_000).toISOString()}`);
  });

  it('tolerates a little clock skew, not more', async () => {
    const clock = fakeClock();
    const { accessToken } = new TokenIssuer({ key, accessTtlSeconds: 60, now: clock.now }).issueAccessToken(
      coordinator,
    );
    const at = (offsetMs: number) => createStaticVerifier(() => [key], { now: () => clock.now() + offsetMs });
    expect((await at(63_000).verify(accessToken)).subject).to.equal(coordinator.subject);
    expect((await rejection(at(66_000).verify(accessToken))).message).to.match(/^The token expired at /);
  });

  it('rejects a tampered payload as a bad signature', async () => {
    const { accessToken } = issuer.issueAccessToken(coordinator);
    const [header, payload, signature] = accessToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    claims.roles.push({ r: 'network_admin', o: 'district' });
    const forged = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
    const error = await rejection(verifier.verify(forged));
    expect(error).to.be.instanceOf(AuthenticationError);
    expect(error.message).to.equal('The token signature is invalid');
  });

  it('rejects a token signed by another key under a known kid', async () => {
    const impostor = new TokenIssuer({ key: { ...otherKey, kid: key.kid } });
    const error = await rejection(verifier.verify(impostor.issueAccessToken(coordinator).accessToken));
    expect(error.message).to.equal('The token signature is invalid');
  });

  it('rejects a wrong audience and a wrong issuer', async () => {
    const forLms = new TokenIssuer({ key, audience: 'lms' }).issueAccessToken(coordinator).accessToken;
    expect((await rejection(verifier.verify(forLms))).message).to.equal(
      'The token is meant for another audience (expected "mathnet")',
    );
    const foreign = new TokenIssuer({ key, issuer: 'elsewhere' }).issueAccessToken(coordinator).accessToken;
    expect((await rejection(verifier.verify(foreign))).message).to.equal(
      'The token was issued by someone else (expected issuer "mathnet")',
    );
  });

  it('rejects a token of an unknown key', async () => {
    const stranger = new TokenIssuer({ key: otherKey }).issueAccessToken(coordinator).accessToken;
    const error = await rejection(verifier.verify(stranger));
    expect(error).to.be.instanceOf(AuthenticationError);
    expect(error.message).to.equal(`The token was signed with an unknown key (kid ${otherKey.kid})`);
  });

  it('rejects malformed tokens, HS256 and alg none', async () => {
    const cases: [string, RegExp][] = [
      ['', /malformed \(not a JWT\)/],
      ['garbage', /malformed \(not a JWT\)/],
      ['a.b.c', /malformed/],
      [jwt.sign({ sub: 'x' }, 'secret', { algorithm: 'HS256', keyid: key.kid }), /not signed with RS256/],
      [jwt.sign({ sub: 'x' }, null, { algorithm: 'none', keyid: key.kid }), /^The token is not signed$/],
      [
        jwt.sign({ sub: 'x' }, createPublicKey(key.privateKeyPem).export({ format: 'pem', type: 'spki' }), {
          algorithm: 'HS256',
        }),
        /no kid/,
      ],
      ['x'.repeat(9000), /too long/],
    ];
    for (const [token, detail] of cases) {
      const error = await rejection(verifier.verify(token));
      expect(error, token.slice(0, 40)).to.be.instanceOf(AuthenticationError);
      expect(error.message).to.match(detail);
    }
  });

  it('rejects validly signed tokens without the actor claims or without exp', async () => {
    const sign = (payload: object) =>
      jwt.sign(payload, key.privateKeyPem, {
        algorithm: 'RS256',
        keyid: key.kid,
        issuer: 'mathnet',
        audience: 'mathnet',
      });
    const noKind = sign({ sub: 'p1', roles: [], exp: Math.floor(Date.now() / 1000) + 60 });
    expect((await rejection(verifier.verify(noKind))).message).to.match(/malformed \(sub, kind or roles/);
    const noExp = sign({ sub: 'p1', kind: 'person', roles: [] });
    expect((await rejection(verifier.verify(noExp))).message).to.equal('The token has no expiry (exp)');
  });

  it('drops grants of roles it does not know instead of rejecting the token', async () => {
    const payload = {
      sub: 'p1',
      kind: 'person',
      roles: [
        { r: 'teacher', o: 'org-a' },
        { r: 'astronaut', o: 'org-a' },
      ],
    };
    const token = jwt.sign(payload, key.privateKeyPem, {
      algorithm: 'RS256',
      keyid: key.kid,
      issuer: 'mathnet',
      audience: 'mathnet',
      expiresIn: 60,
    });
    expect((await verifier.verify(token)).roles).to.deep.equal([
      { role: 'teacher', organisationId: 'org-a' },
    ]);
  });
});
