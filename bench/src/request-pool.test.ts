import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { type PoolRequest, runPool } from './request-pool';

describe('request pool', () => {
  let server: Server;
  let baseUrl: string;
  let open = 0;
  let mostOpen = 0;

  before(async () => {
    server = createServer((req, res) => {
      open += 1;
      mostOpen = Math.max(mostOpen, open);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () =>
        setImmediate(() => {
          open -= 1;
          const status = req.url?.includes('conflict') ? 409 : 200;
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              path: req.url,
              auth: req.headers.authorization,
              body: Buffer.concat(chunks).toString(),
            }),
          );
        }),
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => {
    server.close();
  });

  it('sends every request once with the headers, at most `connections` at a time, and counts failures', async () => {
    const queue: PoolRequest[] = Array.from({ length: 40 }, (_, i) => ({
      label: i % 10 === 0 ? 'conflict' : 'ok',
      method: 'POST',
      path: i % 10 === 0 ? `/conflict/${i}` : `/ok/${i}`,
      body: '{}',
    }));
    const seen: string[] = [];
    let next = 0;
    const result = await runPool({
      baseUrl,
      headers: { authorization: 'Bearer t' },
      connections: 5,
      next: () => queue[next++],
      check: (req, status, body) => {
        const echo = JSON.parse(body) as { path: string; auth: string; body: string };
        seen.push(echo.path);
        expect(echo).to.include({ auth: 'Bearer t', body: '{}' });
        return status === 200 ? undefined : `${req.path}: ${status}`;
      },
    });
    expect(result.completed).to.equal(40);
    expect(seen.sort()).to.deep.equal(queue.map((q) => q.path).sort());
    expect(result.failures).to.equal(4);
    expect(result.failureSamples).to.include('/conflict/0: 409');
    expect(result.latencies.get('ok')).to.have.length(36);
    expect(mostOpen).to.be.within(1, 5);
    expect(result.aborted).to.equal(false);
  });

  it('stops taking requests when its signal aborts', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await runPool({
      baseUrl,
      headers: {},
      connections: 2,
      next: () => ({ label: 'x', method: 'GET', path: '/ok' }),
      signal: controller.signal,
    });
    expect(result).to.include({ completed: 0, aborted: true });
  });
});
