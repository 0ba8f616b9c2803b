import { createTestRedis } from '@mathnet/testkit';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { CoalescingRedisStore } from '../src/coalescing-redis-store';

describe('CoalescingRedisStore', () => {
  let redis: Redis | undefined;
  let prefix = '';

  before(async function () {
    const test = await createTestRedis('gateway-coalescing');
    if (test.url === 'memory://') {
      this.skip(); // needs a real Redis: TEST_REDIS_URL is unset and no container engine answers
    }
    redis = new Redis(test.url);
    prefix = `${test.keyPrefix}rl:`;
  });
  after(async () => {
    if (!redis) return;
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  /** Counts the round trips a store makes. */
  function counted(client: Redis): { client: Redis; roundTrips: () => number } {
    let calls = 0;
    const evalsha = client.evalsha.bind(client);
    const proxy = Object.create(client) as Redis;
    proxy.evalsha = ((...args: Parameters<Redis['evalsha']>) => {
      calls++;
      return evalsha(...args);
    }) as Redis['evalsha'];
    return { client: proxy, roundTrips: () => calls };
  }

  it('gives each of many concurrent hits its own exact count, in two round trips', async () => {
    const { client, roundTrips } = counted(redis!);
    const store = new CoalescingRedisStore(client, { prefix, windowMs: 60_000 });
    const results = await Promise.all(Array.from({ length: 30 }, () => store.increment('burst')));
    expect(results.map((r) => r.totalHits)).to.deep.equal(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(roundTrips()).to.equal(2); // the first hit alone, the 29 that queued behind it as one INCRBY
    const reset = results[29]!.resetTime!.getTime() - Date.now();
    expect(reset).to.be.within(55_000, 60_000);
    expect(await redis!.get(`${prefix}burst`)).to.equal('30');
  });

  it('counts exactly across replicas sharing the key', async () => {
    const a = new CoalescingRedisStore(redis!, { prefix, windowMs: 60_000 });
    const b = new CoalescingRedisStore(redis!.duplicate(), { prefix, windowMs: 60_000 });
    const hits = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).increment('shared').then((r) => r.totalHits)),
    );
    expect(hits.sort((x, y) => x - y)).to.deep.equal(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('starts a new window where the key has no time left, and decrements and resets', async () => {
    const store = new CoalescingRedisStore(redis!, { prefix, windowMs: 60_000 });
    // A key without expiry (PTTL -1) counts as an ended window, as in rate-limit-redis.
    await redis!.set(`${prefix}old`, '99');
    expect((await store.increment('old')).totalHits).to.equal(1);
    expect(await redis!.pttl(`${prefix}old`)).to.be.within(55_000, 60_000);
    await store.decrement('old');
    expect((await store.get('old'))?.totalHits).to.equal(0);
    await store.resetKey('old');
    expect(await store.get('old')).to.equal(undefined);
  });
});

describe('CoalescingRedisStore on a Redis that does not answer', () => {
  it('fails every waiting hit at once (the limiter then lets them pass)', async () => {
    // Port 1: nothing listens; no offline queue and no retries, so commands fail at once.
    const dead = new Redis({
      port: 1,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    dead.on('error', () => undefined);
    const store = new CoalescingRedisStore(dead, { prefix: 'x:', windowMs: 60_000 });
    const settled = await Promise.allSettled(Array.from({ length: 5 }, () => store.increment('k')));
    expect(settled.map((s) => s.status)).to.deep.equal(Array(5).fill('rejected'));
    dead.disconnect();
  });
});
