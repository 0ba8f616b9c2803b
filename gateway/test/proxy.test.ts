import { request as httpRequest } from 'node:http';
import { expect } from 'chai';
import { type ListenVia, problemOf, type RunningGateway, startGateway } from './support/gateway';
import { deadUrl, type Echo, startUpstream, type TestUpstream } from './support/upstream';

const auth = { authorization: 'Bearer valid.person-1' };

// Both ways in: the fast-path listener and the express app alone must behave the same.
for (const via of ['handler', 'app'] satisfies ListenVia[]) {
  describe(`gateway: routing and proxying (via ${via})`, () => {
    let registry: TestUpstream;
    let courses: TestUpstream;
    let gateway: RunningGateway;

    before(async () => {
      registry = await startUpstream('registry');
      courses = await startUpstream('courses');
      gateway = await startGateway(
        { registry: registry.url, courses: courses.url, down: await deadUrl() },
        { limits: { upstreamTimeoutMs: 300 } },
        via,
      );
    });
    after(async () => {
      await gateway.close();
      await registry.close();
      await courses.close();
    });

    async function echo(path: string, init: RequestInit = {}): Promise<Echo> {
      const response = await fetch(`${gateway.url}${path}`, {
        ...init,
        headers: { ...auth, ...init.headers },
      });
      expect(response.status, await response.clone().text()).to.equal(200);
      return (await response.json()) as Echo;
    }

    it('forwards /api/<service>/<rest> to the service at /<rest>, query string untouched', async () => {
      const seen = await echo('/api/registry/v1/organisations?x=1&name=a%20b&x=2');
      expect(seen).to.include({
        service: 'registry',
        method: 'GET',
        url: '/v1/organisations?x=1&name=a%20b&x=2',
      });
      const other = await echo('/api/courses/v1/things/42');
      expect(other).to.include({ service: 'courses', url: '/v1/things/42' });
      expect((await echo('/api/courses?q=1')).url).to.equal('/?q=1');
    });

    it('passes authorization and the request id, sets X-Forwarded-*, drops hop-by-hop headers', async () => {
      const seen = await new Promise<Echo>((resolve, reject) => {
        const req = httpRequest(
          `${gateway.url}/api/courses/v1/things`,
          {
            headers: {
              ...auth,
              'x-request-id': 'req-123',
              connection: 'keep-alive, x-private-hop',
              'x-private-hop': 'secret',
              'keep-alive': 'timeout=5',
              'x-custom': 'kept',
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString())));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(seen.headers.authorization).to.equal(auth.authorization);
      expect(seen.headers['x-request-id']).to.equal('req-123');
      expect(seen.headers['x-custom']).to.equal('kept');
      expect(seen.headers['x-forwarded-for']).to.equal('127.0.0.1');
      expect(seen.headers['x-forwarded-proto']).to.equal('http');
      expect(seen.headers).to.not.have.property('x-private-hop');
      expect(seen.headers).to.not.have.property('keep-alive');
    });

    it('streams request and response bodies through (POST JSON echoed back)', async () => {
      const body = JSON.stringify({ title: 'Olympiad', tags: ['maths', 'physics'], note: 'é'.repeat(1000) });
      const response = await fetch(`${gateway.url}/api/courses/v1/things`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body,
      });
      expect(response.status).to.equal(200);
      expect(response.headers.get('x-upstream')).to.equal('courses');
      const seen = (await response.json()) as Echo;
      expect(seen.method).to.equal('POST');
      expect(seen.headers['content-type']).to.equal('application/json');
      expect(JSON.parse(seen.body)).to.deep.equal(JSON.parse(body));
    });

    it('streams a chunked body under the limit', async () => {
      const chunk = new Uint8Array(64 * 1024).fill(97);
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 8) return controller.close();
          sent++;
          controller.enqueue(chunk);
        },
      });
      const response = await fetch(`${gateway.url}/api/courses/v1/upload`, {
        method: 'PUT',
        headers: { ...auth, 'content-type': 'text/plain' },
        body: stream,
        duplex: 'half',
      } as RequestInit);
      expect(response.status).to.equal(200);
      const seen = (await response.json()) as Echo;
      expect(seen.body.length).to.equal(8 * 64 * 1024);
      expect(seen.headers['transfer-encoding']).to.equal('chunked');
    });

    it('routes the token endpoint, /api/auth/* and the JWKS to the registry without a token', async () => {
      const token = await fetch(`${gateway.url}/api/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=password&username=ada%40school.example&password=right',
      });
      expect(token.status).to.equal(200);
      expect(await token.json()).to.deep.equal({
        access_token: `valid.${Buffer.from('ada@school.example').toString('base64url')}`,
        token_type: 'Bearer',
      });
      expect(registry.seen.at(-1)).to.include({ url: '/auth/token', method: 'POST' });

      const other = await fetch(`${gateway.url}/api/auth/revoke?x=1`, { method: 'POST' });
      expect(((await other.json()) as Echo).url).to.equal('/auth/revoke?x=1');
      const jwks = await fetch(`${gateway.url}/.well-known/jwks.json`);
      expect(((await jwks.json()) as Echo).url).to.equal('/.well-known/jwks.json');
    });

    it('answers 404 problem+json for an unknown service', async () => {
      const response = await fetch(`${gateway.url}/api/nope/v1/things`, { headers: auth });
      expect(response.status).to.equal(404);
      const problem = await problemOf(response);
      expect(problem.type).to.equal('https://mathnet.dev/problems/not-found');
      expect(problem.detail).to.contain('nope');
    });

    it('answers 401 with WWW-Authenticate without a token and with a bad one', async () => {
      const without = await fetch(`${gateway.url}/api/courses/v1/things`);
      expect(without.status).to.equal(401);
      expect(without.headers.get('www-authenticate')).to.equal('Bearer realm="mathnet"');
      expect((await problemOf(without)).type).to.equal('https://mathnet.dev/problems/unauthenticated');

      const bad = await fetch(`${gateway.url}/api/courses/v1/things`, {
        headers: { authorization: 'Bearer forged' },
      });
      expect(bad.status).to.equal(401);
      expect(bad.headers.get('www-authenticate')).to.match(/^Bearer realm="mathnet", error="invalid_token"/);
      expect((await problemOf(bad)).detail).to.equal('The token signature is invalid');

      const basic = await fetch(`${gateway.url}/api/courses/v1/things`, {
        headers: { authorization: 'Basic eDp5' },
      });
      expect(basic.status).to.equal(401);
    });

    it('refuses a 2 MB body with 413 (Content-Length) and stays usable', async () => {
      const seenBefore = courses.seen.length;
      const response = await fetch(`${gateway.url}/api/courses/v1/things`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: Buffer.alloc(2 * 1024 * 1024, 32),
      });
      expect(response.status).to.equal(413);
      expect((await problemOf(response)).type).to.equal('https://mathnet.dev/problems/payload-too-large');
      expect(courses.seen.length).to.equal(seenBefore);
      expect((await echo('/api/courses/v1/after')).url).to.equal('/v1/after');
    });

    it('refuses a 2 MB chunked body with 413, never a 5xx', async () => {
      const chunk = new Uint8Array(64 * 1024).fill(32);
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 32) return controller.close();
          sent++;
          controller.enqueue(chunk);
        },
      });
      const response = await fetch(`${gateway.url}/api/courses/v1/things`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: stream,
        duplex: 'half',
      } as RequestInit);
      expect(response.status).to.equal(413);
      expect((await problemOf(response)).status).to.equal(413);
      expect((await echo('/api/courses/v1/after')).url).to.equal('/v1/after');
    });

    it('passes non-JSON media types through for the service to judge', async () => {
      const seen = await echo('/api/courses/v1/things', {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body: 'a,b\n1,2\n',
      });
      expect(seen.headers['content-type']).to.equal('text/csv');
      expect(seen.body).to.equal('a,b\n1,2\n');
    });

    it('answers 503 problem+json naming the service when it is down', async () => {
      const response = await fetch(`${gateway.url}/api/down/v1/things`, { headers: auth });
      expect(response.status).to.equal(503);
      const problem = await problemOf(response);
      expect(problem.type).to.equal('https://mathnet.dev/problems/service-unavailable');
      expect(problem.detail).to.contain('down service');
    });

    it('answers 504 problem+json when the service does not answer in time', async () => {
      const response = await fetch(`${gateway.url}/api/courses/slow`, { headers: auth });
      expect(response.status).to.equal(504);
      expect((await problemOf(response)).detail).to.contain('courses');
    });

    it('refuses dot segments that could escape the checked path', async () => {
      // fetch would resolve the dot segments itself; node:http sends the path as written.
      for (const path of ['/api/auth/%2e%2e/v1/people', '/api/courses/v1/%2E/x', '/api/courses/v1/../x']) {
        const status = await new Promise<number | undefined>((resolve, reject) => {
          const req = httpRequest(`${gateway.url}/`, { path, headers: auth }, (res) => {
            res.resume();
            resolve(res.statusCode);
          });
          req.on('error', reject);
          req.end();
        });
        expect(status, path).to.equal(400);
      }
    });
  });
}
