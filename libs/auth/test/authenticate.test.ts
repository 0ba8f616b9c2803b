import { createHttpApp, createLogger, listen, type Problem, type RunningServer } from '@mathnet/kit';
import { expect } from 'chai';
import {
  authenticate,
  createStaticVerifier,
  generateSigningKey,
  requireActor,
  type SigningKey,
  TokenIssuer,
} from '../src/index';
import { coordinator } from './helpers';

describe('authenticate middleware', () => {
  let key: SigningKey;
  let server: RunningServer;

  before(async () => {
    key = generateSigningKey();
    const verifier = createStaticVerifier(() => [key]);
    const { app } = createHttpApp({
      name: 'auth-test',
      logger: createLogger('auth-test', 'silent'),
      processMetrics: false,
      routes: (app) => {
        app.get('/me', authenticate(verifier), (req, res) => {
          res.json(requireActor(req));
        });
        app.get('/maybe', authenticate(verifier, { optional: true }), (req, res) => {
          res.json({ subject: req.actor?.subject ?? null });
        });
        app.get('/unguarded', (req, res) => {
          res.json(requireActor(req));
        });
      },
    });
    server = await listen(app, 0, '127.0.0.1');
  });
  after(() => server.close());

  const get = (path: string, authorization?: string) =>
    fetch(`${server.url}${path}`, { headers: authorization ? { authorization } : {} });

  it('sets req.actor from a valid bearer token', async () => {
    const { accessToken } = new TokenIssuer({ key }).issueAccessToken(coordinator);
    const res = await get('/me', `Bearer ${accessToken}`);
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal(coordinator);
    const lowercase = await get('/me', `bearer ${accessToken}`);
    expect(lowercase.status).to.equal(200);
  });

  it('answers 401 problem+json with WWW-Authenticate invalid_token for a bad token', async () => {
    const expired = new TokenIssuer({ key, accessTtlSeconds: 1, now: () => Date.now() - 3_600_000 });
    const res = await get('/me', `Bearer ${expired.issueAccessToken(coordinator).accessToken}`);
    expect(res.status).to.equal(401);
    expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(res.headers.get('www-authenticate')).to.match(
      /^Bearer realm="mathnet", error="invalid_token", error_description="The token expired at [^"]+"$/,
    );
    const problem = (await res.json()) as Problem;
    expect(problem).to.include({
      type: 'https://mathnet.dev/problems/unauthenticated',
      status: 401,
      title: 'Authentication required',
      instance: '/me',
    });
    expect(problem.detail).to.match(/^The token expired at /);
  });

  it('answers 401 without an error code when no token was sent', async () => {
    const res = await get('/me');
    expect(res.status).to.equal(401);
    expect(res.headers.get('www-authenticate')).to.equal('Bearer realm="mathnet"');
    expect(((await res.json()) as Problem).detail).to.equal(
      'A bearer token is required (Authorization: Bearer <access token>)',
    );
  });

  it('answers 401 invalid_request for another scheme', async () => {
    const res = await get('/me', 'Basic dXNlcjpwYXNz');
    expect(res.status).to.equal(401);
    expect(res.headers.get('www-authenticate')).to.equal('Bearer realm="mathnet", error="invalid_request"');
  });

  it('optional: lets anonymous requests through, still rejects a bad token', async () => {
    const anonymous = await get('/maybe');
    expect(anonymous.status).to.equal(200);
    expect(await anonymous.json()).to.deep.equal({ subject: null });
    const { accessToken } = new TokenIssuer({ key }).issueAccessToken(coordinator);
    expect(await (await get('/maybe', `Bearer ${accessToken}`)).json()).to.deep.equal({
      subject: coordinator.subject,
    });
    const bad = await get('/maybe', 'Bearer not.a.token');
    expect(bad.status).to.equal(401);
    expect(bad.headers.get('www-authenticate')).to.match(/error="invalid_token"/);
  });

  it('requireActor answers 401 on a route without authenticate', async () => {
    const res = await get('/unguarded');
    expect(res.status).to.equal(401);
    expect(((await res.json()) as Problem).type).to.equal('https://mathnet.dev/problems/unauthenticated');
  });
});
