import type { TokenVerifier } from '@mathnet/auth';
import { createHttpApp, InputError, type Logger, NotFoundError, type ReadinessCheck } from '@mathnet/kit';
import type { Express, Request, RequestHandler, Response } from 'express';
import { ApiDocs } from './api-docs';
import { ensureActor, resolveActor } from './bearer';
import { createRateLimits, type RateLimitBudgets, type RateLimitStoreOption } from './rate-limits';
import { limitedBody, readSmallBody } from './request-body';
import { corsAllowlist, securityHeaders } from './security';
import { parseTokenRequest } from './token-request';
import { type ForwardBody, Upstream } from './upstream';

/** Budgets and sizes the gateway enforces. */
export interface GatewayLimits extends RateLimitBudgets {
  /** Largest request body forwarded; default 1 MB. */
  maxBodyBytes?: number;
  /** Largest token request body (it is read and parsed); default 16 kB. */
  maxTokenBodyBytes?: number;
  /** Time an upstream gets to send its response headers before a 504; default 30 s. */
  upstreamTimeoutMs?: number;
}

/** What the gateway is built from. */
export interface GatewayDeps {
  logger: Logger;
  /** Service name → base URL; must include `registry` (identity, token endpoint, JWKS). */
  upstreams: Record<string, string>;
  /** Verifies bearer tokens (e.g. `createJwksVerifier`, which caches the registry's keys). */
  verifier: TokenVerifier;
  /** Where rate-limit counters live. */
  rateLimit: RateLimitStoreOption;
  /** Origins allowed to call from a browser; empty allows none. */
  corsOrigins: string[];
  limits: GatewayLimits;
  /** Collect default process metrics on /metrics; default true (the standalone process turns it off but for one app). */
  processMetrics?: boolean;
}

/** The gateway as a value: an express app plus its resources' lifecycle. */
export interface Gateway {
  app: Express;
  /** Connects what the gateway needs (the Redis counters); does not listen. */
  start(): Promise<void>;
  /** Closes upstream connection pools and the counter store. */
  close(): Promise<void>;
}

// A dot segment would let an upstream normalise `/auth/../v1/...` into a path the gateway never checked.
const dotSegment = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i;

function checkedPath(pathAndQuery: string): string {
  const q = pathAndQuery.indexOf('?');
  const path = q >= 0 ? pathAndQuery.slice(0, q) : pathAndQuery;
  if (dotSegment.test(path)) throw new InputError('The path must not contain "." or ".." segments');
  return pathAndQuery.startsWith('/') ? pathAndQuery : `/${pathAndQuery}`;
}

/** Handler forwarding to `upstream` at the path `target` gives, with the body `body` gives. */
function forwardTo(
  upstream: Upstream,
  target: (req: Request) => string,
  body: (req: Request, res: Response) => ForwardBody,
): RequestHandler {
  return (req, res) => upstream.forward(req, res, checkedPath(target(req)), body(req, res));
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
  const maxBodyBytes = limits.maxBodyBytes ?? 1024 * 1024;
  const maxTokenBodyBytes = limits.maxTokenBodyBytes ?? 16 * 1024;
  const upstreams = new Map(
    Object.entries(deps.upstreams).map(([name, url]) => [
      name,
      new Upstream(name, url, { timeoutMs: limits.upstreamTimeoutMs ?? 30_000 }),
    ]),
  );
  const registry = upstreams.get('registry')!;
  const rateLimits = createRateLimits(deps.rateLimit, limits, logger);
  const docs = new ApiDocs([...upstreams.values()], { logger });

  const readiness: Record<string, ReadinessCheck> = {};
  for (const [name, upstream] of upstreams) {
    readiness[name] = async () => {
      const { status, body } = await upstream.getJson('/health/ready', 1_500);
      if (status !== 200) throw new Error(`answered ${status}: ${JSON.stringify(body).slice(0, 300)}`);
    };
  }
  readiness['rate-limit-store'] = () => rateLimits.check();

  const streamedBody = (req: Request) => limitedBody(req, maxBodyBytes);

  const { app } = createHttpApp({
    name: 'gateway',
    logger,
    parseBodies: false,
    readiness,
    ...(deps.processMetrics !== undefined ? { processMetrics: deps.processMetrics } : {}),
    routes: (app) => {
      app.use(securityHeaders());
      app.use(corsAllowlist(deps.corsOrigins));

      app.get(
        '/.well-known/jwks.json',
        forwardTo(registry, (req) => req.originalUrl, streamedBody),
      );

      app.use('/api', resolveActor(deps.verifier), rateLimits.perClient);
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
        forwardTo(registry, (req) => `/auth${req.url}`, streamedBody),
      );

      app.use('/api/:service', async (req, res) => {
        const upstream = upstreams.get(String(req.params.service));
        if (!upstream)
          throw new NotFoundError(`There is no service "${req.params.service}" behind this gateway`);
        if (!ensureActor(req, res)) return;
        await upstream.forward(req, res, checkedPath(req.url), streamedBody(req));
      });
    },
  });

  return {
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
