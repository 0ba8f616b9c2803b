import { createTestRedis } from '@mathnet/testkit';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { ReservingRedisStore } from '../src/reserving-redis-store';

describe('ReservingRedisStore', () => {
  let redis: Redis | undefined;
  let prefix = '';

  before(async function () {
    const test = await createTestRedis('gateway-reserving');
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
    const store = new ReservingRedisStore(client, { prefix, windowMs: 60_000 });
    const results = await Promise.all(Array.from({ length: 30 }, () => store.increment('burst')));
    expect(results.map((r) => r.totalHits)).to.deep.equal(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(roundTrips()).to.equal(2); // the first hit alone, the 29 that queued behind it as one INCRBY
    const reset = results[29]!.resetTime!.getTime() - Date.now();
    expect(reset).to.be.within(55_000, 60_000);
    expect(await redis!.get(`${prefix}burst`)).to.equal('30');
  });

  it('reserves ahead for a fast client: few round trips, every position its own', async () => {
    const { client, roundTrips } = counted(redis!);
    const store = new ReservingRedisStore(client, { prefix, windowMs: 60_000, maxBlock: 16 });
    const hits: number[] = [];
    for (let i = 0; i < 100; i++) hits.push((await store.increment('fast')).totalHits);
    expect(hits).to.deep.equal(Array.from({ length: 100 }, (_, i) => i + 1));
    // Blocks of 1, 2, 4, 8, then 16s (up to 111): 10 round trips for 100 hits instead of 100.
    expect(roundTrips()).to.equal(10);
    expect(Number(await redis!.get(`${prefix}fast`))).to.be.within(100, 100 + 15);
  });

  it('keeps a slow client at one round trip per hit', async () => {
    let now = Date.now();
    const { client, roundTrips } = counted(redis!);
    const store = new ReservingRedisStore(client, { prefix, windowMs: 60_000, now: () => now });
    for (let i = 1; i <= 5; i++) {
      expect((await store.increment('slow')).totalHits).to.equal(i);
      now += 2_000; // one request every 2 s
    }
    expect(roundTrips()).to.equal(5);
    expect(await redis!.get(`${prefix}slow`)).to.equal('5');
  });

  it('never admits more than the limit across replicas, whatever they reserved', async () => {
    const clients = [0, 1, 2].map(() => redis!.duplicate());
    const replicas = clients.map((client) => new ReservingRedisStore(client, { prefix, windowMs: 60_000 }));
    const limit = 50;
    const hits: number[] = [];
    // Three replicas, each hit by its own fast stream of requests, all for one client.
    await Promise.all(
      replicas.map(async (store) => {
        for (let i = 0; i < 60; i++) hits.push((await store.increment('shared')).totalHits);
      }),
    );
    expect(new Set(hits).size).to.equal(hits.length); // no position handed out twice
    const admitted = hits.filter((h) => h <= limit).length;
    expect(admitted).to.be.at.most(limit);
    // Reserved but unused positions are at most maxBlock - 1 (31) per replica.
    expect(admitted).to.be.at.least(limit - 3 * 31);
    for (const store of replicas) store.shutdown();
    for (const client of clients) await client.quit();
  });

  it('starts a new window where the key has no time left, and decrements and resets', async () => {
    const store = new ReservingRedisStore(redis!, { prefix, windowMs: 60_000 });
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

describe('ReservingRedisStore on a Redis that does not answer', () => {
  it('fails every waiting hit at once (the limiter then lets them pass)', async () => {
    // Port 1: nothing listens; no offline queue and no retries, so commands fail at once.
    const dead = new Redis({
      port: 1,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    dead.on('error', () => undefined);
    const store = new ReservingRedisStore(dead, { prefix: 'x:', windowMs: 60_000 });
    const settled = await Promise.allSettled(Array.from({ length: 5 }, () => store.increment('k')));
    expect(settled.map((s) => s.status)).to.deep.equal(Array(5).fill('rejected'));
    dead.disconnect();
  });
});
