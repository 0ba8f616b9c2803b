import { createHash } from 'node:crypto';
import type { ClientRateLimitInfo, IncrementResponse, Options, Store } from 'express-rate-limit';
import type { Redis } from 'ioredis';

// rate-limit-redis's increment script, by `n` instead of by one: same keys, same window semantics
// (fixed window starting at the first hit), so gateways of either kind count in the same keys.
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
  inFlight: boolean;
  waiting: Waiter[];
}

/** Options of {@link CoalescingRedisStore}. */
export interface CoalescingRedisStoreOptions {
  /** Prepended to every key in Redis. */
  prefix: string;
  /** The window, ms (express-rate-limit's `init` sets it again from the limiter). */
  windowMs: number;
}

/**
 * An express-rate-limit store on Redis that coalesces concurrent increments of
 * one key: while one round trip for a key is in flight, further hits of that
 * key wait and then go as one `INCRBY n`. Each hit still gets its own exact
 * count (the batch's total minus its place from the end), and Redis stays the
 * only counter, so the limit holds across every gateway replica exactly as with
 * one round trip per request; what a busy client saves is round trips (and the
 * Redis and gateway CPU they cost). A hit waits at most for the round trip
 * already in flight plus its own.
 */
export class CoalescingRedisStore implements Store {
  readonly prefix: string;
  readonly localKeys = false;
  readonly #redis: Redis;
  #windowMs: number;
  readonly #keys = new Map<string, KeyState>();

  constructor(redis: Redis, options: CoalescingRedisStoreOptions) {
    this.#redis = redis;
    this.prefix = options.prefix;
    this.#windowMs = options.windowMs;
  }

  init(options: Options): void {
    this.#windowMs = options.windowMs;
  }

  increment(key: string): Promise<IncrementResponse> {
    let state = this.#keys.get(key);
    if (state === undefined) {
      state = { inFlight: false, waiting: [] };
      this.#keys.set(key, state);
    }
    const keyState = state;
    return new Promise<IncrementResponse>((resolve, reject) => {
      keyState.waiting.push({ resolve, reject });
      if (!keyState.inFlight) this.#send(key, keyState);
    });
  }

  async decrement(key: string): Promise<void> {
    await this.#redis.decr(this.prefix + key);
  }

  async resetKey(key: string): Promise<void> {
    await this.#redis.del(this.prefix + key);
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const [hits, ttl] = await Promise.all([
      this.#redis.get(this.prefix + key),
      this.#redis.pttl(this.prefix + key),
    ]);
    if (hits === null) return undefined;
    return { totalHits: Number(hits), resetTime: new Date(Date.now() + Math.max(ttl, 0)) };
  }

  #send(key: string, state: KeyState): void {
    const batch = state.waiting;
    state.waiting = [];
    state.inFlight = true;
    this.#incrementBy(this.prefix + key, batch.length).then(
      ([total, timeToExpire]) => {
        const resetTime = new Date(Date.now() + timeToExpire);
        const first = total - batch.length + 1;
        for (let i = 0; i < batch.length; i++) batch[i]!.resolve({ totalHits: first + i, resetTime });
        this.#next(key, state);
      },
      (error: unknown) => {
        // Hits that queued behind a failed round trip fail with it (the limiter lets them pass, logged),
        // rather than each waiting out another failing round trip.
        const failed = batch.concat(state.waiting);
        state.waiting = [];
        for (const waiter of failed) waiter.reject(error);
        this.#next(key, state);
      },
    );
  }

  #next(key: string, state: KeyState): void {
    state.inFlight = false;
    if (state.waiting.length > 0) this.#send(key, state);
    else this.#keys.delete(key);
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
    if (!Array.isArray(reply) || reply.length !== 2)
      throw new TypeError('unexpected reply to the increment script');
    return [Number(reply[0]), Number(reply[1])];
  }
}
