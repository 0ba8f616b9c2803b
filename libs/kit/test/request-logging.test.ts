import { Writable } from 'node:stream';
import { expect } from 'chai';
import { pino } from 'pino';
import { createHttpApp, listen, NotAllowedError, type RunningServer } from '../src/index';

/** An app whose logger writes JSON lines into `lines`, at `level`. */
async function appLoggingAt(
  level: string,
): Promise<{ server: RunningServer; lines: Record<string, unknown>[] }> {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const { app } = createHttpApp({
    name: 'kit-logging',
    logger: pino({ level }, sink),
    processMetrics: false,
    routes: (app) => {
      app.get('/ok', (_req, res) => {
        res.json({ ok: true });
      });
      app.get('/forbidden', () => {
        throw new NotAllowedError('no');
      });
      app.get('/boom', () => {
        throw new Error('boom');
      });
    },
  });
  return { server: await listen(app, 0, '127.0.0.1'), lines };
}

/** The log lines of one request id, once its answer has been logged (finish runs after the body is sent). */
async function linesOf(lines: Record<string, unknown>[], id: string, wanted: number) {
  const deadline = Date.now() + 2000;
  const mine = () => lines.filter((l) => l.reqId === id || (l.req as { id?: string } | undefined)?.id === id);
  while (mine().length < wanted && Date.now() < deadline) await new Promise((r) => setImmediate(r));
  return mine();
}

describe('kit request logging', () => {
  for (const level of ['info', 'warn']) {
    describe(`at level ${level}`, () => {
      let server: RunningServer;
      let lines: Record<string, unknown>[];
      before(async () => {
        ({ server, lines } = await appLoggingAt(level));
      });
      after(() => server.close());

      it('gives every request an id (a well-formed incoming one, else a UUID) and echoes it', async () => {
        const given = await fetch(`${server.url}/ok`, { headers: { 'x-request-id': 'req-42' } });
        expect(given.headers.get('x-request-id')).to.equal('req-42');
        const fresh = await fetch(`${server.url}/ok`, { headers: { 'x-request-id': 'bad id!' } });
        expect(fresh.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
      });

      it('logs a 5xx with its request id, a 4xx only at info, a 2xx never above debug', async () => {
        const boom = await fetch(`${server.url}/boom`, { headers: { 'x-request-id': `boom-${level}` } });
        expect(boom.status).to.equal(500);
        const failed = await linesOf(lines, `boom-${level}`, 2);
        expect(failed.map((l) => l.msg)).to.include.members(['request failed', 'request errored']);
        expect(failed.every((l) => l.level === 50)).to.equal(true);

        await fetch(`${server.url}/forbidden`, { headers: { 'x-request-id': `no-${level}` } });
        await fetch(`${server.url}/ok`, { headers: { 'x-request-id': `ok-${level}` } });
        // The next request's 5xx line proves the earlier answers were finished (and logged, if at all).
        await fetch(`${server.url}/boom`, { headers: { 'x-request-id': `last-${level}` } });
        await linesOf(lines, `last-${level}`, 2);
        expect(await linesOf(lines, `no-${level}`, 0)).to.have.length(level === 'info' ? 1 : 0);
        expect(await linesOf(lines, `ok-${level}`, 0)).to.have.length(0);
      });
    });
  }
});
