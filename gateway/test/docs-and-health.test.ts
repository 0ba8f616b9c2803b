import { expect } from 'chai';
import { type ListenVia, type RunningGateway, startGateway } from './support/gateway';
import { deadUrl, startUpstream, type TestUpstream } from './support/upstream';

type Document = {
  paths: Record<string, Record<string, { operationId?: string; tags?: string[]; security?: unknown }>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
  'x-unavailable': string[];
};

describe('gateway: API docs and readiness', () => {
  let registry: TestUpstream;
  let courses: TestUpstream;
  let healthy: RunningGateway;
  let partial: RunningGateway;

  before(async () => {
    registry = await startUpstream('registry');
    courses = await startUpstream('courses');
    healthy = await startGateway({ registry: registry.url, courses: courses.url });
    partial = await startGateway({ registry: registry.url, courses: courses.url, events: await deadUrl() });
  });
  after(async () => {
    await healthy.close();
    await partial.close();
    await registry.close();
    await courses.close();
  });

  it('serves the merged OpenAPI document with paths where the gateway serves them', async () => {
    const response = await fetch(`${partial.url}/api/docs/openapi.json`);
    expect(response.status).to.equal(200);
    const document = (await response.json()) as Document;
    expect(Object.keys(document.paths)).to.deep.equal([
      '/api/auth/token',
      '/api/courses/v1/things',
      '/api/registry/v1/organisations',
    ]);
    expect(document['x-unavailable']).to.deep.equal(['events']);
    // Equal components are shared; different ones with the same name get the service as prefix.
    expect(Object.keys(document.components.schemas).sort()).to.deep.equal([
      'Problem',
      'Thing',
      'courses_Thing',
    ]);
    expect(Object.keys(document.components.securitySchemes)).to.deep.equal(['bearer']);
    const coursesGet = document.paths['/api/courses/v1/things']!.get!;
    expect(JSON.stringify(coursesGet)).to.contain('#/components/schemas/courses_Thing');
    expect(coursesGet.operationId).to.equal('courses_listThings');
    expect(coursesGet.tags).to.deep.equal(['courses']);
    expect(coursesGet.security).to.deep.equal([{ bearer: [] }]);
    expect(document.paths['/api/auth/token']!.post!.security).to.deep.equal([]);
  });

  it('serves Swagger UI at /api/docs under a CSP it works with', async () => {
    const response = await fetch(`${healthy.url}/api/docs`);
    expect(response.status).to.equal(200);
    expect(response.url).to.equal(`${healthy.url}/api/docs/`);
    expect(response.headers.get('content-type')).to.match(/^text\/html/);
    const html = await response.text();
    expect(html).to.contain('<div id="swagger-ui"></div>');
    expect(html).to.not.match(/<script>[^<]/);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).to.contain("script-src 'self'");
    expect(csp).to.not.contain('upgrade-insecure-requests');
    const init = await fetch(`${healthy.url}/api/docs/swagger-ui-init.js`);
    expect(init.status).to.equal(200);
    expect(await init.text()).to.contain('/api/docs/openapi.json');
    const bundle = await fetch(`${healthy.url}/api/docs/swagger-ui-bundle.js`);
    expect(bundle.status).to.equal(200);
    await bundle.arrayBuffer();
  });

  it('reports ready (200) when every upstream and the counter store are', async () => {
    const response = await fetch(`${healthy.url}/health/ready`);
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({
      status: 'ok',
      checks: { registry: 'ok', courses: 'ok', 'rate-limit-store': 'ok' },
    });
  });

  it('reports 503 with a per-service report when an upstream is down or not ready', async () => {
    courses.setReady(false);
    try {
      const response = await fetch(`${partial.url}/health/ready`);
      expect(response.status).to.equal(503);
      const report = (await response.json()) as { status: string; checks: Record<string, string> };
      expect(report.status).to.equal('unavailable');
      expect(report.checks.registry).to.equal('ok');
      expect(report.checks['rate-limit-store']).to.equal('ok');
      expect(report.checks.courses).to.match(/^answered 503/);
      expect(report.checks.events).to.contain('ECONNREFUSED');
    } finally {
      courses.setReady(true);
    }
  });
});

for (const via of ['handler', 'app'] satisfies ListenVia[]) {
  describe(`gateway: security headers and CORS (via ${via})`, () => {
    let registry: TestUpstream;
    let gateway: RunningGateway;

    before(async () => {
      registry = await startUpstream('registry');
      gateway = await startGateway(
        { registry: registry.url },
        { corsOrigins: ['https://app.school.example'] },
        via,
      );
    });
    after(async () => {
      await gateway.close();
      await registry.close();
    });

    it('sets security headers on proxied and own answers', async () => {
      for (const path of ['/api/registry/v1/organisations', '/api/nope']) {
        const response = await fetch(`${gateway.url}${path}`, {
          headers: { authorization: 'Bearer valid.p1' },
        });
        expect(response.headers.get('x-content-type-options'), path).to.equal('nosniff');
        expect(response.headers.get('strict-transport-security'), path).to.match(/^max-age=/);
        expect(response.headers.get('x-frame-options'), path).to.equal('SAMEORIGIN');
        expect(response.headers.get('content-security-policy'), path).to.contain("default-src 'self'");
        expect(response.headers.get('x-powered-by'), path).to.equal(null);
      }
    });

    it('answers an allowed origin with CORS headers, preflight included', async () => {
      const origin = 'https://app.school.example';
      const simple = await fetch(`${gateway.url}/api/registry/v1/organisations`, {
        headers: { origin, authorization: 'Bearer valid.p1' },
      });
      expect(simple.headers.get('access-control-allow-origin')).to.equal(origin);
      expect(simple.headers.get('access-control-expose-headers')).to.contain('RateLimit-Remaining');
      expect(simple.headers.get('vary')).to.match(/Origin/i);

      const preflight = await fetch(`${gateway.url}/api/registry/v1/organisations`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization',
        },
      });
      expect(preflight.status).to.equal(204);
      expect(preflight.headers.get('access-control-allow-origin')).to.equal(origin);
      expect(preflight.headers.get('access-control-allow-methods')).to.contain('POST');
      expect(preflight.headers.get('access-control-allow-headers')).to.equal('authorization');
    });

    it('gives a disallowed origin no CORS headers at all', async () => {
      const origin = 'https://evil.example';
      const simple = await fetch(`${gateway.url}/api/registry/v1/organisations`, {
        headers: { origin, authorization: 'Bearer valid.p1' },
      });
      expect(simple.status).to.equal(200);
      const preflight = await fetch(`${gateway.url}/api/registry/v1/organisations`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
      for (const response of [simple, preflight]) {
        const cors = [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));
        expect(cors).to.deep.equal([]);
      }
    });
  });
}
