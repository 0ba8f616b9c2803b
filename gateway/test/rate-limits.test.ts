import { createTestRedis } from '@mathnet/testkit';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import type { RateLimitStoreOption } from '../src/index';
import { problemOf, type RunningGateway, startGateway } from './support/gateway';
import { startUpstream, type TestUpstream } from './support/upstream';

const tooManyRequests = 'https://mathnet.dev/problems/too-many-requests';

async function storeOption(variant: 'memory' | 'redis', suffix: string): Promise<RateLimitStoreOption> {
  if (variant === 'memory') return { store: 'memory' };
  const redis = await createTestRedis('gateway-rate-limits');
  // No Redis on this machine: the Redis variant runs on memory counters (testkit logged the choice).
  return redis.url === 'memory://'
    ? { store: 'memory' }
    : { redisUrl: redis.url, keyPrefix: `${redis.keyPrefix}${suffix}` };
}

async function deleteKeys(option: RateLimitStoreOption): Promise<void> {
  if (!('redisUrl' in option)) return;
  const redis = new Redis(option.redisUrl);
  const keys = await redis.keys(`${option.keyPrefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
}

for (const variant of ['memory', 'redis'] as const) {
  describe(`gateway: rate limits (${variant})`, () => {
    let registry: TestUpstream;
    let perClientGateway: RunningGateway;
    let tokenGateway: RunningGateway;
    const options: RateLimitStoreOption[] = [];

    before(async () => {
      registry = await startUpstream('registry');
      options.push(await storeOption(variant, 'client:'), await storeOption(variant, 'token:'));
      perClientGateway = await startGateway(
        { registry: registry.url },
        { rateLimit: options[0]!, limits: { perClientPerMinute: 5 } },
      );
      tokenGateway = await startGateway(
        { registry: registry.url },
        { rateLimit: options[1]!, limits: { tokenPerIpPerMinute: 4, loginFailuresPer15Min: 5 } },
      );
    });
    after(async () => {
      await perClientGateway?.close();
      await tokenGateway?.close();
      await registry?.close();
      for (const option of options) await deleteKeys(option);
    });

    function signIn(
      username: string,
      password: string,
      ip: string,
      as: 'form' | 'json' = 'form',
    ): Promise<Response> {
      const fields = { grant_type: 'password', username, password };
      return fetch(`${tokenGateway.url}/api/auth/token`, {
        method: 'POST',
        headers: {
          'content-type': as === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
          'x-forwarded-for': ip,
        },
        body: as === 'json' ? JSON.stringify(fields) : new URLSearchParams(fields).toString(),
      });
    }

    const tokenRequestsSeen = () => registry.seen.filter((e) => e.url === '/auth/token').length;

    it('limits each client per minute, keyed by token subject, with RateLimit-* headers and a 429 problem', async () => {
      const call = (subject: string) =>
        fetch(`${perClientGateway.url}/api/registry/v1/organisations`, {
          headers: { authorization: `Bearer valid.${subject}-${variant}` },
        });
      for (let i = 1; i <= 5; i++) {
        const response = await call('alice');
        expect(response.status).to.equal(200);
        expect(response.headers.get('ratelimit-limit')).to.equal('5');
        expect(response.headers.get('ratelimit-remaining')).to.equal(String(5 - i));
      }
      const limited = await call('alice');
      expect(limited.status).to.equal(429);
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(retryAfter).to.be.within(1, 60);
      const problem = await problemOf(limited);
      expect(problem.type).to.equal(tooManyRequests);
      expect(problem.status).to.equal(429);
      expect((await call('bob')).status).to.equal(200);
    });

    it('limits unauthenticated callers by IP', async () => {
      const call = (ip: string) =>
        fetch(`${perClientGateway.url}/api/auth/whoami`, { headers: { 'x-forwarded-for': ip } });
      for (let i = 0; i < 5; i++) expect((await call('10.1.0.1')).status).to.equal(200);
      const limited = await call('10.1.0.1');
      expect(limited.status).to.equal(429);
      expect((await problemOf(limited)).type).to.equal(tooManyRequests);
      expect((await call('10.1.0.2')).status).to.equal(200);
    });

    it('counts a burst of concurrent requests of one client exactly', async () => {
      const option = await storeOption(variant, 'burst:');
      options.push(option);
      const gateway = await startGateway(
        { registry: registry.url },
        { rateLimit: option, limits: { perClientPerMinute: 10 } },
      );
      try {
        const responses = await Promise.all(
          Array.from({ length: 25 }, () =>
            fetch(`${gateway.url}/api/registry/v1/organisations`, {
              headers: { authorization: `Bearer valid.burst-${variant}` },
            }),
          ),
        );
        const ok = responses.filter((r) => r.status === 200);
        expect(ok.length).to.equal(10);
        expect(responses.filter((r) => r.status === 429).length).to.equal(15);
        const remaining = ok.map((r) => Number(r.headers.get('ratelimit-remaining'))).sort((a, b) => a - b);
        expect(remaining).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        await Promise.all(responses.map((r) => r.arrayBuffer()));
      } finally {
        await gateway.close();
      }
    });

    it('shares one budget per caller between proxied routes and /api/auth', async () => {
      const headers = { 'x-forwarded-for': '10.1.1.1' };
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        statuses.push((await fetch(`${perClientGateway.url}/api/registry/v1/x`, { headers })).status);
      }
      for (let i = 0; i < 3; i++) {
        statuses.push((await fetch(`${perClientGateway.url}/api/auth/whoami`, { headers })).status);
      }
      expect(statuses).to.deep.equal([401, 401, 401, 200, 200, 429]);
    });

    it('locks an account after five wrong passwords, from whatever address, until the window passes', async () => {
      const before = tokenRequestsSeen();
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) {
        const response = await signIn(
          i % 2 ? 'Eve@School.example' : ' eve@school.example',
          'wrong',
          `10.2.0.${i}`,
        );
        statuses.push(response.status);
        if (response.status === 400) expect(await response.json()).to.include({ error: 'invalid_grant' });
        if (response.status === 429) {
          expect(Number(response.headers.get('retry-after'))).to.be.within(1, 900);
          expect((await problemOf(response)).type).to.equal(tooManyRequests);
        }
      }
      expect(statuses).to.deep.equal([400, 400, 400, 400, 400, 429, 429, 429, 429, 429]);
      expect(tokenRequestsSeen() - before).to.equal(5);
      // Locked means locked: the right password does not get through either, but another account does.
      expect((await signIn('eve@school.example', 'right', '10.2.1.1')).status).to.equal(429);
      expect((await signIn('frank@school.example', 'right', '10.2.1.2')).status).to.equal(200);
    });

    it('counts JSON token requests per account too', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++)
        statuses.push((await signIn('json@school.example', 'wrong', `10.3.0.${i}`, 'json')).status);
      expect(statuses).to.deep.equal([400, 400, 400, 400, 400, 429, 429]);
    });

    it('does not count successful sign-ins', async () => {
      for (let i = 0; i < 10; i++) {
        expect((await signIn('grace@school.example', 'right', `10.4.0.${i}`)).status).to.equal(200);
      }
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++)
        statuses.push((await signIn('grace@school.example', 'wrong', `10.4.1.${i}`)).status);
      expect(statuses).to.deep.equal([400, 400, 400, 400, 400, 429]);
    });

    it('limits token requests per IP', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++)
        statuses.push((await signIn(`user${i}@school.example`, 'right', '10.5.0.1')).status);
      expect(statuses).to.deep.equal([200, 200, 200, 200, 429]);
      expect((await signIn('user9@school.example', 'right', '10.5.0.2')).status).to.equal(200);
    });
  });
}
