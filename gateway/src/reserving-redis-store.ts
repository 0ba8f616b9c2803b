import { createHash } from 'node:crypto';
import type { ClientRateLimitInfo, IncrementResponse, Options, Store } from 'express-rate-limit';
import type { Redis } from 'ioredis';

// rate-limit-redis's increment script, by `n` instead of by one: same keys, same window semantics
// (a fixed window starting at the first hit), so gateways of either kind count in the same keys.
const incrementScript = [
  'local windowMs = tonumber(ARGV[1])',
  'local n = tonumber(ARGV[2])',
  'local timeToExpire = redis.call("PTTL", KEYS[1])',
  'if timeToExpire <= 0 then',
  '  redis.call("SET", KEYS[1], n, "PX", windowMs)',
  '  return { n, windowMs }',
  'end',
  'return { redis.call("INCRBY", KEYS[1], n), timeToExpire }',
].join('\n');
const incrementSha = createHash('sha1').update(incrementScript).digest('hex');

interface Waiter {
  resolve(info: IncrementResponse): void;
  reject(error: unknown): void;
}

interface KeyState {
  /** Next reserved position to hand out, and the last one reserved (inclusive). */
  next: number;
  last: number;
  /** When the window of the reserved positions ends (ms). */
  resetAt: number;
  /** When the current reservation arrived (ms). */
  reservedAt: number;
  /** Positions the next reservation asks for beyond the hits waiting. */
  block: number;
  inFlight: boolean;
  waiting: Waiter[];
}

/** Options of {@link ReservingRedisStore}. */
export interface ReservingRedisStoreOptions {
  /** Prepended to every key in Redis. */
  prefix: string;
  /** The window, ms (express-rate-limit's `init` sets it again from the limiter). */
  windowMs: number;
  /** Largest block of positions reserved at once; default 32. 1 turns reservation off (coalescing stays). */
  maxBlock?: number;
  /** Clock in milliseconds since the epoch; for tests. */
  now?: () => number;
}

// A reservation used up faster than this doubles the next block; one that lasted longer than slowMs halves it.
const fastMs = 100;
const slowMs = 1_000;

/**
 * An express-rate-limit store on Redis that spares a busy client's requests the
 * round trip, while Redis stays the one counter every gateway replica shares.
 *
 * Every hit gets a position in the window's shared count (`totalHits`), and is
 * limited on it, exactly as with one `INCR` per request. The saving comes from
 * two things: concurrent hits of one key that arrive while a round trip is in
 * flight wait for it and then go as one `INCRBY n` (coalescing); and a key that
 * uses up its positions quickly reserves the next ones ahead, in blocks that
 * double while the client keeps up (up to `maxBlock`) and halve when it slows
 * down, so a client sending hundreds of requests a second costs a few round
 * trips a second. A client below ~10 requests a second keeps a block of 1: one
 * round trip per request, as before.
 *
 * Correct across replicas: a replica admits only positions it reserved in Redis,
 * so the window never admits more than the limit whichever replicas the hits go
 * to. The price is on the safe side: positions a replica reserved but did not
 * use before the window ended were counted without being used, at most
 * `maxBlock - 1` per replica and key per window, and only for a key that was
 * just sending fast; such a client can be limited that many hits early.
 */
export class ReservingRedisStore implements Store {
  readonly prefix: string;
  readonly localKeys = false;
  readonly #redis: Redis;
  readonly #maxBlock: number;
  readonly #now: () => number;
  #windowMs: number;
  readonly #keys = new Map<string, KeyState>();
  readonly #sweeper: NodeJS.Timeout;

  constructor(redis: Redis, options: ReservingRedisStoreOptions) {
    this.#redis = redis;
    this.prefix = options.prefix;
    this.#windowMs = options.windowMs;
    this.#maxBlock = Math.max(1, options.maxBlock ?? 32);
    this.#now = options.now ?? Date.now;
    // Keys whose window ended are forgotten; the timer does not keep the process alive.
    this.#sweeper = setInterval(() => this.#sweep(), 60_000);
    this.#sweeper.unref();
  }

  init(options: Options): void {
    this.#windowMs = options.windowMs;
  }

  /**
   * A hit of `key` from its reserved positions, without a round trip (and without
   * a promise); undefined when none is left, then {@link increment} reserves more.
   */
  take(key: string): { totalHits: number; resetAt: number } | undefined {
    const state = this.#keys.get(key);
    if (state === undefined || state.inFlight || state.next > state.last || this.#now() >= state.resetAt) {
      return undefined;
    }
    return { totalHits: state.next++, resetAt: state.resetAt };
  }

  increment(key: string): Promise<IncrementResponse> {
    const taken = this.take(key);
    if (taken) return Promise.resolve({ totalHits: taken.totalHits, resetTime: new Date(taken.resetAt) });
    let state = this.#keys.get(key);
    if (state === undefined) {
      state = { next: 1, last: 0, resetAt: 0, reservedAt: 0, block: 1, inFlight: false, waiting: [] };
      this.#keys.set(key, state);
    }
    const keyState = state;
    return new Promise<IncrementResponse>((resolve, reject) => {
      keyState.waiting.push({ resolve, reject });
      if (!keyState.inFlight) this.#reserve(key, keyState);
    });
  }

  async decrement(key: string): Promise<void> {
    await this.#redis.decr(this.prefix + key);
  }

  async resetKey(key: string): Promise<void> {
    this.#keys.delete(key);
    await this.#redis.del(this.prefix + key);
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const [hits, ttl] = await Promise.all([
      this.#redis.get(this.prefix + key),
      this.#redis.pttl(this.prefix + key),
    ]);
    if (hits === null) return undefined;
    return { totalHits: Number(hits), resetTime: new Date(this.#now() + Math.max(ttl, 0)) };
  }

  shutdown(): void {
    clearInterval(this.#sweeper);
  }

  #reserve(key: string, state: KeyState): void {
    const now = this.#now();
    // Adapt the block to how long the last reservation lasted (a first reservation counts as slow).
    const lasted = state.reservedAt === 0 ? Number.POSITIVE_INFINITY : now - state.reservedAt;
    if (lasted < fastMs) state.block = Math.min(state.block * 2, this.#maxBlock);
    else if (lasted > slowMs) state.block = Math.max(1, Math.floor(state.block / 2));
    const batch = state.waiting;
    state.waiting = [];
    state.inFlight = true;
    const n = Math.max(batch.length, state.block);
    this.#incrementBy(this.prefix + key, n).then(
      ([total, timeToExpire]) => {
        const arrived = this.#now();
        const first = total - n + 1;
        const resetAt = arrived + timeToExpire;
        const resetTime = new Date(resetAt);
        for (let i = 0; i < batch.length; i++) batch[i]!.resolve({ totalHits: first + i, resetTime });
        state.next = first + batch.length;
        state.last = total;
        state.resetAt = resetAt;
        state.reservedAt = arrived;
        this.#settled(key, state);
      },
      (error: unknown) => {
        // Hits that queued behind a failed round trip fail with it (the limiter then lets them pass,
        // logged), rather than each waiting out another failing round trip.
        const failed = batch.concat(state.waiting);
        state.waiting = [];
        for (const waiter of failed) waiter.reject(error);
        state.next = 1;
        state.last = 0;
        this.#settled(key, state);
      },
    );
  }

  #settled(key: string, state: KeyState): void {
    state.inFlight = false;
    if (state.waiting.length === 0) return;
    // Hits that queued during the round trip take what was reserved for them, the rest reserve again.
    const now = this.#now();
    while (state.waiting.length > 0 && state.next <= state.last && now < state.resetAt) {
      state.waiting.shift()!.resolve({ totalHits: state.next++, resetTime: new Date(state.resetAt) });
    }
    if (state.waiting.length > 0) this.#reserve(key, state);
  }

  #sweep(): void {
    const now = this.#now();
    for (const [key, state] of this.#keys) {
      if (!state.inFlight && state.waiting.length === 0 && state.resetAt <= now) this.#keys.delete(key);
    }
  }

  async #incrementBy(redisKey: string, n: number): Promise<[number, number]> {
    const args = [1, redisKey, this.#windowMs, n] as const;
    let reply: unknown;
    try {
      reply = await this.#redis.evalsha(incrementSha, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      // EVAL loads the script into Redis's cache as well, so the next EVALSHA finds it.
      reply = await this.#redis.eval(incrementScript, ...args);
    }
    if (!Array.isArray(reply) || reply.length !== 2) {
      throw new TypeError('unexpected reply to the increment script');
    }
    return [Number(reply[0]), Number(reply[1])];
  }
}
