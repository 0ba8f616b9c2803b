import { expect } from 'chai';
import { adminEmail, adminPassword, client, type RegistryHarness, startRegistry } from './registry-harness';

describe('registry token endpoint (RFC 6749)', function () {
  this.timeout(60_000);
  let h: RegistryHarness;
  let api: ReturnType<typeof client>;

  before(async () => {
    h = await startRegistry('token-endpoint');
    api = client(h.url);
  });
  after(async () => {
    await h?.close();
  });

  const form = (params: Record<string, string>, headers: Record<string, string> = {}) =>
    api.call('POST', '/auth/token', {
      raw: new URLSearchParams(params).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    });

  it('issues tokens for the password grant (form encoded)', async () => {
    const res = await form({ grant_type: 'password', username: adminEmail, password: adminPassword });
    expect(res.status).to.equal(200);
    expect(res.body.token_type).to.equal('Bearer');
    expect(res.body.expires_in).to.equal(900);
    expect(res.body.access_token.split('.')).to.have.length(3);
    expect(res.body.refresh_token).to.be.a('string');
    expect(res.headers.get('cache-control')).to.equal('no-store');
  });

  it('answers invalid_grant for a wrong password and an unknown user alike', async () => {
    const wrong = await form({ grant_type: 'password', username: adminEmail, password: 'nope-nope' });
    const unknown = await form({ grant_type: 'password', username: 'ghost@x.local', password: 'nope-nope' });
    for (const res of [wrong, unknown]) {
      expect(res.status).to.equal(400);
      expect(res.body.error).to.equal('invalid_grant');
    }
    expect(wrong.body.error_description).to.equal(unknown.body.error_description);
  });

  it('answers invalid_request, unsupported_grant_type', async () => {
    expect((await form({ grant_type: 'password', username: adminEmail })).body.error).to.equal(
      'invalid_request',
    );
    expect((await form({ grant_type: 'implicit' })).body.error).to.equal('unsupported_grant_type');
    expect((await form({})).body.error).to.equal('invalid_request');
  });

  it('rotates refresh tokens and revokes the family when a used one comes back', async () => {
    const login = await api.call('POST', '/auth/token', {
      body: { grant_type: 'password', username: adminEmail, password: adminPassword },
    });
    const first = login.body.refresh_token;
    const second = await form({ grant_type: 'refresh_token', refresh_token: first });
    expect(second.status).to.equal(200);
    expect(second.body.refresh_token).to.not.equal(first);
    const reuse = await form({ grant_type: 'refresh_token', refresh_token: first });
    expect(reuse.status).to.equal(400);
    expect(reuse.body.error).to.equal('invalid_grant');
    const afterReuse = await form({ grant_type: 'refresh_token', refresh_token: second.body.refresh_token });
    expect(afterReuse.body.error).to.equal('invalid_grant');
  });

  it('issues client_credentials tokens to a school machine client; wrong secret is invalid_client', async () => {
    const admin = await api.login(adminEmail, adminPassword);
    const school = await api.call('POST', '/v1/organisations', {
      token: admin,
      body: { name: 'Школа М', kind: 'school' },
    });
    const created = await api.call('POST', `/v1/organisations/${school.body.id}/clients`, {
      token: admin,
      body: { name: 'Moodle' },
    });
    expect(created.status).to.equal(201);
    const { clientId, clientSecret } = created.body;
    const ok = await form({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    });
    expect(ok.status).to.equal(200);
    expect(ok.body).to.not.have.property('refresh_token');
    const basic = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
    expect(
      (await form({ grant_type: 'client_credentials' }, { authorization: `Basic ${basic}` })).status,
    ).to.equal(200);
    const bad = await form({ grant_type: 'client_credentials', client_id: clientId, client_secret: 'wrong' });
    expect(bad.status).to.equal(401);
    expect(bad.body.error).to.equal('invalid_client');
    const listed = await api.call('GET', `/v1/organisations/${school.body.id}/clients`, { token: admin });
    expect(JSON.stringify(listed.body)).to.not.include(clientSecret);
  });

  it('publishes the public signing key in the JWKS without private parts', async () => {
    const jwks = await api.call('GET', '/.well-known/jwks.json');
    expect(jwks.status).to.equal(200);
    expect(jwks.body.keys).to.have.length(1);
    expect(jwks.body.keys[0]).to.include({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.body.keys[0]).to.not.have.property('d');
  });
});
