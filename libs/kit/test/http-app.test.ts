import { expect } from 'chai';
import { z } from 'zod';
import {
  ConfigError,
  checkIfMatch,
  createHttpApp,
  createLogger,
  listen,
  loadConfig,
  NotAllowedError,
  parseInput,
  type RunningServer,
} from '../src/index';

describe('kit', () => {
  describe('loadConfig', () => {
    const schema = z.object({
      PORT: z.coerce.number().int().min(1).max(65535),
      DB_PASSWORD: z.string().min(8),
    });
    it('names each bad variable, what was expected and what arrived (hiding secrets)', () => {
      try {
        loadConfig(schema, { PORT: 'eighty', DB_PASSWORD: 'short' });
        expect.fail('should throw');
      } catch (error) {
        expect(error).to.be.instanceOf(ConfigError);
        const message = (error as Error).message;
        expect(message).to.match(/PORT: .*got "eighty"/);
        expect(message).to.match(/DB_PASSWORD: .*got \(hidden\)/);
        expect(message).to.not.include('short');
      }
    });
    it('treats empty values as unset and parses good ones', () => {
      expect(loadConfig(z.object({ A: z.string().default('x') }), { A: '' })).to.deep.equal({ A: 'x' });
    });
  });

  describe('http app', () => {
    let server: RunningServer;
    let healthy = true;
    before(async () => {
      const { app } = createHttpApp({
        name: 'kit-test',
        logger: createLogger('kit-test', 'silent'),
        processMetrics: false,
        bodyLimit: '1kb',
        readiness: {
          thing: async () => {
            if (!healthy) throw new Error('thing is down');
          },
        },
        routes: (app) => {
          app.post('/echo', (req, res) => {
            res.json(parseInput(z.strictObject({ n: z.number() }), req.body));
          });
          app.get('/forbidden', () => {
            throw new NotAllowedError('no');
          });
          app.get('/boom', () => {
            throw new Error('secret internals');
          });
          app.put('/versioned', (req, res) => {
            checkIfMatch(req, 3);
            res.json({ ok: true });
          });
        },
      });
      server = await listen(app, 0, '127.0.0.1');
    });
    after(() => server.close());

    const post = (body: string, type = 'application/json') =>
      fetch(`${server.url}/echo`, { method: 'POST', headers: { 'content-type': type }, body });

    it('answers problem+json for malformed JSON, wrong shapes, too large bodies', async () => {
      for (const [body, status] of [
        ['{"n":', 400],
        ['{"n":"1"}', 400],
        [JSON.stringify({ n: 1, pad: 'x'.repeat(2000) }), 413],
      ] as const) {
        const res = await post(body);
        expect(res.status, body.slice(0, 20)).to.equal(status);
        expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
        const problem = (await res.json()) as { status: number; type: string };
        expect(problem.status).to.equal(status);
        expect(problem.type).to.match(/^https:\/\/mathnet\.dev\/problems\//);
      }
      expect(await (await post('{"n":1}')).json()).to.deep.equal({ n: 1 });
    });

    it('maps typed errors and hides internal ones', async () => {
      expect((await fetch(`${server.url}/forbidden`)).status).to.equal(403);
      const boom = await fetch(`${server.url}/boom`);
      expect(boom.status).to.equal(500);
      expect(await boom.text()).to.not.include('secret internals');
      const missing = await fetch(`${server.url}/nowhere`);
      expect(missing.status).to.equal(404);
      expect(missing.headers.get('content-type')).to.match(/problem\+json/);
    });

    it('checks If-Match: 412 on a stale ETag, passes on the current one or none', async () => {
      const put = (tag?: string) =>
        fetch(`${server.url}/versioned`, { method: 'PUT', headers: tag ? { 'if-match': tag } : {} });
      expect((await put('W/"2"')).status).to.equal(412);
      expect((await put('W/"3"')).status).to.equal(200);
      expect((await put()).status).to.equal(200);
    });

    it('serves health, readiness with per-check report, metrics, request ids', async () => {
      expect((await fetch(`${server.url}/health/live`)).status).to.equal(200);
      expect((await fetch(`${server.url}/health/ready`)).status).to.equal(200);
      healthy = false;
      const down = await fetch(`${server.url}/health/ready`);
      expect(down.status).to.equal(503);
      expect(((await down.json()) as { checks: unknown }).checks).to.deep.equal({ thing: 'thing is down' });
      healthy = true;
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).to.include('http_request_duration_seconds');
      const res = await fetch(`${server.url}/health/live`, { headers: { 'x-request-id': 'abc-123' } });
      expect(res.headers.get('x-request-id')).to.equal('abc-123');
    });
  });
});
