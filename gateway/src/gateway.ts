import type { RequestListener } from 'node:http';
import type { TokenVerifier } from '@mathnet/auth';
import { createHttpApp, type Logger, NotFoundError, type ReadinessCheck } from '@mathnet/kit';
import type { Express, Request, RequestHandler, Response } from 'express';
import { ApiDocs } from './api-docs';
import { createApiListener, type DurationMetric } from './api-fast-path';
import { ensureActor, resolveActor } from './bearer';
import { type BodyLimits, bodyLimitFor } from './body-limits';
import type { TrustProxy } from './client-address';
import { checkedPath } from './proxy-path';
import { createRateLimits, type RateLimitBudgets, type RateLimitStoreOption } from './rate-limits';
import { limitedBody, readSmallBody } from './request-body';
import { corsAllowlist, corsForRequests, headerPairs, securityHeaderMap, securityHeaders } from './security';
import { CachingVerifier, type TokenCacheOptions } from './token-cache';
import { parseTokenRequest } from './token-request';
import { type ForwardBody, type ForwardInfo, Upstream } from './upstream';

/** Budgets and sizes the gateway enforces. */
export interface GatewayLimits extends RateLimitBudgets {
  /** Largest request body forwarded; default 1 MB. */
  maxBodyBytes?: number;
  /** Largest body of the large-upload routes (lms-bridge's OneRoster import), streamed through; default 256 MB. */
  maxImportBytes?: number;
  /** Largest token request body (it is read and parsed); default 16 kB. */
  maxTokenBodyBytes?: number;
  /** Time an upstream gets to send its response headers before a 504; default 30 s. */
  upstreamTimeoutMs?: number;
  /** Keep-alive connections per upstream; default 128. */
  upstreamConnections?: number;
}

/** What the gateway is built from. */
export interface GatewayDeps {
  logger: Logger;
  /** Service name → base URL; must include `registry` (identity, token endpoint, JWKS). */
  upstreams: Record<string, string>;
  /** Verifies bearer tokens (e.g. `createJwksVerifier`, which caches the registry's keys); the gateway caches its results. */
  verifier: TokenVerifier;
  /** Where rate-limit counters live. */
  rateLimit: RateLimitStoreOption;
  /** Origins allowed to call from a browser; empty allows none. */
  corsOrigins: string[];
  limits: GatewayLimits;
  /** Which peers may set X-Forwarded-* (express's `trust proxy`); default `loopback`. */
  trustProxy?: string | boolean | number;
  /** The cache of verified tokens (size, longest reuse). */
  tokenCache?: TokenCacheOptions;
  /** Collect default process metrics on /metrics; default true (the standalone process turns it off but for one app). */
  processMetrics?: boolean;
}

/** The gateway as a value: its request listener, the express app behind it, and its resources' lifecycle. */
export interface Gateway {
  /**
   * What to listen with: proxied `/api/<service>/…` requests are served on a lean
   * path without express; everything else goes to {@link Gateway.app}.
   */
  handler: RequestListener;
  /** The express app: every route, the proxied ones too (the same behaviour, more overhead per request). */
  app: Express;
  /** Connects what the gateway needs (the Redis counters); does not listen. */
  start(): Promise<void>;
  /** Closes upstream connection pools and the counter store. */
  close(): Promise<void>;
}

/** What the upstream needs to know of an express request. */
function forwardInfo(req: Request): ForwardInfo {
  return { proto: req.protocol, host: req.host, requestId: typeof req.id === 'string' ? req.id : undefined };
}

/** Handler forwarding to `upstream` at the path `target` gives, with the body `body` gives. */
function forwardTo(
  upstream: Upstream,
  target: (req: Request) => string,
  body: (req: Request, res: Response) => ForwardBody,
): RequestHandler {
  return (req, res) => upstream.forward(req, res, checkedPath(target(req)), body(req, res), forwardInfo(req));
}

function isDurationMetric(metric: unknown): metric is DurationMetric {
  return typeof (metric as { labels?: unknown } | undefined)?.labels === 'function';
}

/**
 * Builds the gateway: routing `/api/<service>/…` to upstreams (tokens required),
 * `/api/auth/…` and `/.well-known/jwks.json` to the registry (public), rate
 * limits, security headers, CORS, the merged API docs at `/api/docs` and a
 * readiness report of every upstream. Does not listen (see `main.ts`).
 */
export function createGateway(deps: GatewayDeps): Gateway {
  if (!deps.upstreams.registry) throw new Error('createGateway: upstreams must include "registry"');
  const { logger, limits } = deps;
  const bodyLimits: BodyLimits = {
    maxBodyBytes: limits.maxBodyBytes ?? 1024 * 1024,
    maxImportBytes: limits.maxImportBytes ?? 256 * 1024 * 1024,
  };
  const maxTokenBodyBytes = limits.maxTokenBodyBytes ?? 16 * 1024;
  const upstreams = new Map(
    Object.entries(deps.upstreams).map(([name, url]) => [
      name,
      new Upstream(name, url, {
        timeoutMs: limits.upstreamTimeoutMs ?? 30_000,
        ...(limits.upstreamConnections !== undefined ? { connections: limits.upstreamConnections } : {}),
      }),
    ]),
  );
  const registry = upstreams.get('registry')!;
  const tokens = new CachingVerifier(deps.verifier, deps.tokenCache);
  const rateLimits = createRateLimits(deps.rateLimit, limits, logger);
  const docs = new ApiDocs([...upstreams.values()], { logger });
  const headers = securityHeaderMap();

  const readiness: Record<string, ReadinessCheck> = {};
  for (const [name, upstream] of upstreams) {
    readiness[name] = async () => {
      const { status, body } = await upstream.getJson('/health/ready', 1_500);
      if (status !== 200) throw new Error(`answered ${status}: ${JSON.stringify(body).slice(0, 300)}`);
    };
  }
  readiness['rate-limit-store'] = () => rateLimits.check();

  const smallBody = (req: Request) => limitedBody(req, bodyLimits.maxBodyBytes);

  const { app, metrics } = createHttpApp({
    name: 'gateway',
    logger,
    parseBodies: false,
    readiness,
    trustProxy: deps.trustProxy ?? 'loopback',
    ...(deps.processMetrics !== undefined ? { processMetrics: deps.processMetrics } : {}),
    routes: (app) => {
      app.use(securityHeaders(headers));
      app.use(corsAllowlist(deps.corsOrigins));

      app.get(
        '/.well-known/jwks.json',
        forwardTo(registry, (req) => req.originalUrl, smallBody),
      );

      app.use('/api', resolveActor(tokens), rateLimits.perClient);
      app.use('/api/docs', docs.router());

      // The token endpoint: its small body is read so failed sign-ins can be counted per account.
      app.post(
        '/api/auth/token',
        rateLimits.tokenPerIp,
        async (req, res, next) => {
          const raw = await readSmallBody(req, maxTokenBodyBytes);
          const parsed = parseTokenRequest(raw, req.headers['content-type'], req.headers.authorization);
          res.locals.tokenBody = parsed.body;
          res.locals.accountKey = parsed.accountKey;
          next();
        },
        rateLimits.accountFailures,
        forwardTo(
          registry,
          (req) => req.originalUrl.slice('/api'.length),
          (_req, res) => res.locals.tokenBody as Buffer,
        ),
      );
      app.use(
        '/api/auth',
        forwardTo(registry, (req) => `/auth${req.url}`, smallBody),
      );

      // The same steps as the fast path (api-fast-path.ts), for requests it leaves to express.
      app.use('/api/:service', async (req, res) => {
        const service = String(req.params.service);
        const upstream = upstreams.get(service);
        if (!upstream) throw new NotFoundError(`There is no service "${service}" behind this gateway`);
        if (!ensureActor(req, res)) return;
        const path = checkedPath(req.url);
        const body = limitedBody(req, bodyLimitFor(req.method, service, path, bodyLimits));
        await upstream.forward(req, res, path, body, forwardInfo(req));
      });
    },
  });

  const duration = metrics.getSingleMetric('http_request_duration_seconds');
  const handler = createApiListener(
    {
      upstreams,
      tokens,
      clientLimit: rateLimits.client,
      securityHeaders: headerPairs(headers),
      cors: corsForRequests(deps.corsOrigins),
      trust: app.get('trust proxy fn') as TrustProxy,
      bodyLimits,
      logger,
      ...(isDurationMetric(duration) ? { duration } : {}),
    },
    app,
  );

  return {
    handler,
    app,
    async start() {
      try {
        await rateLimits.check();
      } catch (error) {
        // Not fatal: limits fail open and /health/ready reports the store until it answers.
        logger.error({ err: error }, 'rate-limit store does not answer at start');
      }
    },
    async close() {
      await Promise.allSettled([...upstreams.values()].map((u) => u.close()));
      await rateLimits.close();
    },
  };
}
