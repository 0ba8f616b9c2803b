import { type Logger, sendProblem, TooManyRequestsError } from '@mathnet/kit';
import type { Request, RequestHandler, Response } from 'express';
import {
  ipKeyGenerator,
  MemoryStore,
  type Options,
  type RateLimitInfo,
  rateLimit,
  type Store,
} from 'express-rate-limit';
import { Redis } from 'ioredis';
import { RedisStore } from 'rate-limit-redis';
import { ReservingRedisStore } from './reserving-redis-store';

/** Where the rate-limit counters live: this process, or Redis shared by every gateway replica. */
export type RateLimitStoreOption = { store: 'memory' } | { redisUrl: string; keyPrefix?: string };

/** The gateway's request budgets. */
export interface RateLimitBudgets {
  /** Requests per minute per client on `/api/*` (token subject, else IP). */
  perClientPerMinute: number;
  /** Requests per minute per IP on `POST /api/auth/token`. */
  tokenPerIpPerMinute: number;
  /** Failed token requests per account in 15 minutes. */
  loginFailuresPer15Min: number;
}

/** One hit of a client counted: the figures the `RateLimit-*` headers show. */
export interface ClientHit {
  /** Hits in this window, this one included. */
  totalHits: number;
  /** When the window ends (ms), when the store says. */
  resetAt: number | undefined;
}

/** The per-client budget, for the fast path: the same counters as {@link RateLimits.perClient}. */
export interface ClientLimit {
  limit: number;
  windowMs: number;
  /** Counts a hit of `key` when that needs no round trip (a position reserved ahead); else undefined. */
  take(key: string): ClientHit | undefined;
  /** Counts a hit of `key`; undefined when the store failed (logged; the request passes unlimited). */
  hit(key: string): Promise<ClientHit | undefined>;
}

/** The three limiters and their store's lifecycle. */
export interface RateLimits {
  perClient: RequestHandler;
  /** The per-client counters outside express (same store and keys as `perClient`). */
  client: ClientLimit;
  tokenPerIp: RequestHandler;
  /** Keyed by `res.locals.accountKey`; skips requests that name no account. */
  accountFailures: RequestHandler;
  /** Resolves when the counter store answers (Redis PING). */
  check(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The Redis store, but one whose script SHA is loaded again after a failure: the
 * stock store loads its scripts once at start, so a Redis that was down at that
 * moment would leave every later increment failing.
 */
class ReloadingRedisStore extends RedisStore {
  override async increment(key: string) {
    try {
      return await super.increment(key);
    } catch (error) {
      this.incrementScriptSha = this.loadIncrementScript();
      this.incrementScriptSha.catch(() => undefined);
      throw error;
    }
  }
}

// express-rate-limit checks (by reading this function's source) that a key from req.ip goes through ipKeyGenerator.
function ipKey(req: Request): string {
  return `ip:${ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown')}`;
}

/** The per-client counter key of a caller without a valid token (IPv6 by /56 subnet). */
export function clientIpKey(address: string): string {
  return `ip:${ipKeyGenerator(address || 'unknown')}`;
}

/** Seconds until a window resets (ms since the epoch), at least 1: the `Retry-After` of a 429. */
export function retryAfterSeconds(resetAt: number = Date.now() + 60_000): number {
  return Math.max(1, Math.ceil((resetAt - Date.now()) / 1000));
}

/** A 429 problem+json with Retry-After, whatever limiter answered. */
function tooMany(property: string, detail: (info: RateLimitInfo | undefined) => string): Options['handler'] {
  return (req, res) => {
    const info = (req as unknown as Record<string, RateLimitInfo | undefined>)[property];
    const seconds = retryAfterSeconds(info?.resetTime?.getTime());
    sendProblem(
      res,
      new TooManyRequestsError(`${detail(info)}; retry in ${seconds} s`, seconds),
      req.originalUrl,
    );
  };
}

/** Builds the gateway's limiters on memory or Redis counters (failing open, with an error log, if the store fails). */
export function createRateLimits(
  option: RateLimitStoreOption,
  budgets: RateLimitBudgets,
  logger: Logger,
): RateLimits {
  const limiterLogger = {
    error: (error: unknown, message?: string) =>
      logger.error({ err: error }, message ?? 'rate limiter error'),
    warn: (error: unknown, message?: string) =>
      logger.warn({ err: error }, message ?? 'rate limiter warning'),
  };
  let redis: Redis | undefined;
  const stores: Store[] = [];
  const storeFor = (name: string, windowMs: number, reserveUpTo = 0): Store => {
    let store: Store;
    if ('redisUrl' in option) {
      redis ??= createRedis(option.redisUrl, logger);
      const client = redis;
      const prefix = `${option.keyPrefix ?? 'mathnet:'}gateway:rl:${name}:`;
      store = reserveUpTo
        ? new ReservingRedisStore(client, { prefix, windowMs, maxBlock: reserveUpTo })
        : new ReloadingRedisStore({
            prefix,
            sendCommand: (command: string, ...args: string[]) =>
              client.call(command, ...args) as Promise<never>,
          });
    } else {
      store = new MemoryStore();
    }
    stores.push(store);
    return store;
  };
  if (!('redisUrl' in option)) logger.info('rate limits: counters in process memory (memory://)');

  const common = {
    legacyHeaders: false,
    passOnStoreError: true,
    logger: limiterLogger,
  } satisfies Partial<Options>;

  // Every authenticated request counts here: the one limiter whose round trips are worth saving. Blocks of
  // reserved hits stay within 1 % of the budget (and 128), so unused reservations cost a client at most that.
  const clientStore = storeFor(
    'client',
    60_000,
    Math.min(128, Math.max(1, Math.floor(budgets.perClientPerMinute / 100))),
  );
  const perClient = rateLimit({
    ...common,
    store: clientStore,
    windowMs: 60_000,
    limit: budgets.perClientPerMinute,
    standardHeaders: 'draft-6',
    requestPropertyName: 'clientRateLimit',
    keyGenerator: (req: Request) => (req.actor ? `sub:${req.actor.subject}` : ipKey(req)),
    handler: tooMany(
      'clientRateLimit',
      (info) => `More than ${info?.limit} requests per minute from this client`,
    ),
  });

  const tokenPerIp = rateLimit({
    ...common,
    store: storeFor('token-ip', 60_000),
    windowMs: 60_000,
    limit: budgets.tokenPerIpPerMinute,
    standardHeaders: 'draft-6',
    requestPropertyName: 'tokenRateLimit',
    keyGenerator: ipKey,
    handler: tooMany(
      'tokenRateLimit',
      (info) => `More than ${info?.limit} token requests per minute from this address`,
    ),
  });

  const accountFailures = rateLimit({
    ...common,
    store: storeFor('login-failures', 15 * 60_000),
    windowMs: 15 * 60_000,
    limit: budgets.loginFailuresPer15Min,
    // The counter is about an account, not about the caller: no RateLimit-* headers, only Retry-After on a 429.
    standardHeaders: false,
    requestPropertyName: 'accountRateLimit',
    skip: (_req: Request, res: Response) => typeof res.locals.accountKey !== 'string',
    keyGenerator: (_req: Request, res: Response) => res.locals.accountKey as string,
    // Only failures count: a wrong password or client secret (400 invalid_grant, 401 invalid_client).
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req: Request, res: Response) => res.statusCode !== 400 && res.statusCode !== 401,
    handler: tooMany('accountRateLimit', () => 'Too many failed sign-in attempts for this account'),
  });

  // While the store is down every request fails to count: one log line per 10 s says so.
  let lastStoreError = 0;
  const storeFailed = (error: unknown) => {
    const now = Date.now();
    if (now - lastStoreError < 10_000) return;
    lastStoreError = now;
    logger.error({ err: error }, 'rate limits: the counter store failed; requests pass unlimited');
  };
  const client: ClientLimit = {
    limit: budgets.perClientPerMinute,
    windowMs: 60_000,
    take: clientStore instanceof ReservingRedisStore ? (key) => clientStore.take(key) : () => undefined,
    async hit(key) {
      try {
        const { totalHits, resetTime } = await clientStore.increment(key);
        return { totalHits, resetAt: resetTime?.getTime() };
      } catch (error) {
        storeFailed(error);
        return undefined;
      }
    },
  };

  return {
    perClient,
    client,
    tokenPerIp,
    accountFailures,
    async check() {
      if (redis) await redis.ping();
    },
    async close() {
      for (const store of stores) await store.shutdown?.();
      if (redis) await redis.quit().catch(() => redis?.disconnect());
    },
  };
}

function createRedis(url: string, logger: Logger): Redis {
  // Few retries per command: while Redis is away, requests pass unlimited (logged) instead of hanging.
  const redis = new Redis(url, { maxRetriesPerRequest: 2, connectTimeout: 5_000 });
  let lastLogged = 0;
  redis.on('error', (error) => {
    const now = Date.now();
    if (now - lastLogged > 10_000) {
      lastLogged = now;
      logger.error({ err: error }, 'rate limits: Redis error');
    }
  });
  redis.once('ready', () => logger.info('rate limits: counters in Redis'));
  return redis;
}
