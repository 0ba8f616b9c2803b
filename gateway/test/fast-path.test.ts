import { request as httpRequest } from 'node:http';
import { expect } from 'chai';
import { problemOf, type RunningGateway, startGateway } from './support/gateway';
import { type Echo, startUpstream, type TestUpstream } from './support/upstream';

const auth = { authorization: 'Bearer valid.person-1' };
const mb = 1024 * 1024;
const importPath = '/api/lms-bridge/v1/connections/conn-1/imports';

/** A chunked body of `count` chunks of `size` bytes, each after `delayMs` (a slow client). */
function chunkedBody(count: number, size: number, delayMs = 0): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(size).fill(97);
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent >= count) return controller.close();
      sent++;
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      controller.enqueue(chunk);
    },
  });
}

describe('gateway: fast path specifics', () => {
  let bridge: TestUpstream;
  let registry: TestUpstream;
  let gateway: RunningGateway;

  before(async () => {
    registry = await startUpstream('registry');
    bridge = await startUpstream('lms-bridge');
    gateway = await startGateway(
      { registry: registry.url, 'lms-bridge': bridge.url },
      { limits: { maxImportBytes: 4 * mb, upstreamTimeoutMs: 300 } },
    );
  });
  after(async () => {
    await gateway.close();
    await bridge.close();
    await registry.close();
  });

  const post = (path: string, body: NonNullable<RequestInit['body']>, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/zip', ...headers },
      body,
      ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    } as RequestInit);

  it('lets a 3 MB OneRoster zip through to the import route while other routes still answer 413', async () => {
    const imported = await post(importPath, Buffer.alloc(3 * mb, 1));
    expect(imported.status).to.equal(200);
    const seen = (await imported.json()) as Echo;
    expect(seen.url).to.equal('/v1/connections/conn-1/imports');
    expect(seen.body.length).to.equal(3 * mb);

    const chunked = await post(`${importPath}?mode=full`, chunkedBody(48, 64 * 1024));
    expect(chunked.status).to.equal(200);
    expect(((await chunked.json()) as Echo).body.length).to.equal(3 * mb);

    for (const path of [
      '/api/lms-bridge/v1/connections/conn-1',
      '/api/lms-bridge/v1/connections/conn-1/sync',
    ]) {
      const refused = await post(path, Buffer.alloc(2 * mb, 1));
      expect(refused.status, path).to.equal(413);
      expect((await problemOf(refused)).detail).to.contain(`${mb} bytes`);
    }
    const put = await fetch(`${gateway.url}${importPath}`, {
      method: 'PUT',
      headers: auth,
      body: Buffer.alloc(2 * mb, 1),
    });
    expect(put.status).to.equal(413);
  });

  it('holds the import route to its own limit, declared or chunked', async () => {
    const declared = await post(importPath, Buffer.alloc(5 * mb, 1));
    expect(declared.status).to.equal(413);
    expect((await problemOf(declared)).detail).to.contain(`${4 * mb} bytes`);
    const chunked = await post(importPath, chunkedBody(80, 64 * 1024));
    expect(chunked.status).to.equal(413);
    // The connection pool and the upstream are still fine.
    expect((await post(importPath, 'PK')).status).to.equal(200);
  });

  it('starts the 504 clock when a slow upload has been sent, not when it began', async () => {
    // 4 chunks 150 ms apart: 600 ms of upload against an upstream timeout of 300 ms.
    const response = await post(importPath, chunkedBody(4, 1024, 150));
    expect(response.status).to.equal(200);
    expect(((await response.json()) as Echo).body.length).to.equal(4096);
  });

  it('keeps a plain client request id, replaces anything else, and tells the upstream the same id', async () => {
    const own = await fetch(`${gateway.url}/api/registry/v1/x`, {
      headers: { ...auth, 'x-request-id': 'abc-1' },
    });
    expect(own.headers.get('x-request-id')).to.equal('abc-1');
    expect(((await own.json()) as Echo).headers['x-request-id']).to.equal('abc-1');

    const odd = await fetch(`${gateway.url}/api/registry/v1/x`, {
      headers: { ...auth, 'x-request-id': 'a b' },
    });
    const id = odd.headers.get('x-request-id') ?? '';
    expect(id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(((await odd.json()) as Echo).headers['x-request-id']).to.equal(id);

    const refused = await fetch(`${gateway.url}/api/registry/v1/x`);
    expect(refused.status).to.equal(401);
    expect(refused.headers.get('x-request-id')).to.match(/^[0-9a-f]{8}-/);
  });

  it('counts proxied requests in http_request_duration_seconds by service and status', async () => {
    await fetch(`${gateway.url}/api/registry/v1/counted`, { headers: auth }).then((r) => r.arrayBuffer());
    await fetch(`${gateway.url}/api/unknown-svc/v1/x`, { headers: auth }).then((r) => r.arrayBuffer());
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(text).to.match(
      /http_request_duration_seconds_count\{[^}]*route="\/api\/registry"[^}]*status="200"[^}]*\} [1-9]/,
    );
    expect(text).to.match(
      /http_request_duration_seconds_count\{[^}]*route="\/api\/:service"[^}]*status="404"/,
    );
    expect(text).to.not.contain('unknown-svc');
  });

  it('leaves preflights, the token endpoint and odd spellings to express', async () => {
    const preflight = await fetch(`${gateway.url}/api/registry/v1/x`, { method: 'OPTIONS' });
    expect(preflight.status).to.equal(401); // no token, no allowed origin: as through express before
    const upper = await new Promise<number | undefined>((resolve, reject) => {
      const req = httpRequest(`${gateway.url}/API/registry/v1/x`, { headers: auth }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
      req.end();
    });
    expect(upper).to.equal(200); // express matches /api/:service case-insensitively
  });
});

describe('gateway: TRUST_PROXY', () => {
  let registry: TestUpstream;
  const gateways: RunningGateway[] = [];

  before(async () => {
    registry = await startUpstream('registry');
  });
  after(async () => {
    for (const gateway of gateways) await gateway.close();
    await registry.close();
  });

  async function seenThrough(trustProxy: string | boolean | number): Promise<Echo> {
    const gateway = await startGateway({ registry: registry.url }, { trustProxy });
    gateways.push(gateway);
    const response = await fetch(`${gateway.url}/api/registry/v1/x`, {
      headers: { ...auth, 'x-forwarded-proto': 'https', 'x-forwarded-host': 'school.example' },
    });
    return (await response.json()) as Echo;
  }

  it('believes X-Forwarded-* from loopback by default and from nobody when false', async () => {
    const trusted = await seenThrough('loopback');
    expect(trusted.headers['x-forwarded-proto']).to.equal('https');
    expect(trusted.headers['x-forwarded-host']).to.equal('school.example');
    const untrusted = await seenThrough(false);
    expect(untrusted.headers['x-forwarded-proto']).to.equal('http');
    expect(untrusted.headers['x-forwarded-host']).to.match(/^127\.0\.0\.1:\d+$/);
    const elsewhere = await seenThrough('10.0.0.0/8');
    expect(elsewhere.headers['x-forwarded-proto']).to.equal('http');
  });

  it('keys callers without a token by the trusted client address', async () => {
    const limited = async (trustProxy: string | boolean) => {
      const gateway = await startGateway(
        { registry: registry.url },
        { trustProxy, limits: { perClientPerMinute: 2 } },
      );
      gateways.push(gateway);
      const statuses: number[] = [];
      for (const ip of ['10.9.0.1', '10.9.0.2', '10.9.0.3']) {
        const response = await fetch(`${gateway.url}/api/registry/v1/x`, {
          headers: { 'x-forwarded-for': ip },
        });
        statuses.push(response.status);
      }
      return statuses;
    };
    expect(await limited('loopback')).to.deep.equal([401, 401, 401]);
    // Not trusted: every request is the peer 127.0.0.1, one bucket of 2.
    expect(await limited(false)).to.deep.equal([401, 401, 429]);
  });
});
