import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Actor } from '@mathnet/auth';
import {
  AuthenticationError,
  type HttpError,
  type Logger,
  NotFoundError,
  TooManyRequestsError,
  toHttpError,
  toProblem,
} from '@mathnet/kit';
import { AnswerHeaders } from './answer-headers';
import { type AuthFailure, bearerToken, unauthenticated } from './bearer';
import { type BodyLimits, bodyLimitFor } from './body-limits';
import { clientAddress, forwardedHost, forwardedProto, type TrustProxy } from './client-address';
import { type ApiTarget, apiTarget, checkedPath } from './proxy-path';
import { type ClientLimit, clientIpKey, retryAfterSeconds } from './rate-limits';
import { limitedBody } from './request-body';
import type { CachingVerifier } from './token-cache';
import type { Upstream } from './upstream';

/** The part of a prom-client Histogram the fast path uses. */
export interface DurationMetric {
  labels(labels: Record<string, string>): { observe(seconds: number): void };
}

/** What the fast path is built from; every piece is shared with the express app behind it. */
export interface FastPathDeps {
  upstreams: ReadonlyMap<string, Upstream>;
  tokens: CachingVerifier;
  clientLimit: ClientLimit;
  /** Security headers of every answer, as `name, value, …` pairs with lower-case names. */
  securityHeaders: readonly string[];
  /** Adds the CORS headers for a request from `origin`. */
  cors: (origin: string, headers: AnswerHeaders) => void;
  trust: TrustProxy;
  bodyLimits: BodyLimits;
  logger: Logger;
  /** `http_request_duration_seconds` of the app, when there is one. */
  duration?: DurationMetric;
}

// As kit's request ids: a client's own id is kept when it is short and plain.
const plainRequestId = /^[\w-]{1,128}$/;

function writeProblem(res: ServerResponse, error: HttpError, instance: string, headers: AnswerHeaders): void {
  const body = JSON.stringify(toProblem(error, instance));
  if (error.status === 429 && typeof error.extensions.retryAfter === 'number') {
    headers.set('retry-after', String(error.extensions.retryAfter));
  }
  headers.set('content-type', 'application/problem+json; charset=utf-8');
  headers.set('content-length', String(Buffer.byteLength(body)));
  res.writeHead(error.status, headers.list());
  res.end(body);
}

/**
 * The request listener of the gateway: `/api/<service>/…` requests are proxied
 * here, on plain node:http, without express, pino-http or helmet on the way;
 * every other request (token endpoint, docs, health, metrics, preflights,
 * unusual spellings of a path) goes to `fallback`, the express app.
 *
 * It keeps what the express route does, in the same order: request id, security
 * and CORS headers, bearer token (verified tokens cached), per-client rate limit
 * (same counters), 404 for an unknown service, 401 with `WWW-Authenticate`,
 * 400 for dot segments, 413 past the route's body limit, then the upstream with
 * its 503/504 mapping. Per request it logs only at debug level (when enabled),
 * and 5xx answers at error level.
 */
export function createApiListener(deps: FastPathDeps, fallback: RequestListener): RequestListener {
  const { logger, trust } = deps;
  const { limit } = deps.clientLimit;
  const limitText = String(limit);
  const policy = `${deps.clientLimit.limit};w=${Math.ceil(deps.clientLimit.windowMs / 1000)}`;
  // The histogram's child per method, route and status, looked up once (prom-client hashes labels on every call).
  const observers = new Map<string, { observe(seconds: number): void }>();

  function observerOf(
    method: string,
    service: string,
    status: number,
  ): { observe(seconds: number): void } | undefined {
    if (!deps.duration) return undefined;
    // Only known services become label values: unknown names come from clients and would be unbounded.
    const route = deps.upstreams.has(service) ? `/api/${service}` : '/api/:service';
    const key = `${method} ${route} ${status}`;
    let observer = observers.get(key);
    if (observer === undefined) {
      observer = deps.duration.labels({ method, route, status: String(status) });
      observers.set(key, observer);
    }
    return observer;
  }

  /** The actor of a bearer token, or why there is none; a promise only when the token is not cached. */
  function actorOf(
    header: string | undefined,
  ): Actor | AuthFailure | undefined | Promise<Actor | AuthFailure> {
    const token = bearerToken(header);
    if (typeof token !== 'string') return token;
    return deps.tokens.cached(token) ?? verify(token);
  }

  async function verify(token: string): Promise<Actor | AuthFailure> {
    try {
      return await deps.tokens.verify(token);
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      return { error, code: 'invalid_token' };
    }
  }

  async function proxy(
    req: IncomingMessage,
    res: ServerResponse,
    target: ApiTarget,
    headers: AnswerHeaders,
    requestId: string,
  ): Promise<void> {
    // Cached tokens and reserved rate-limit positions are used without awaiting anything.
    let auth = actorOf(req.headers.authorization);
    if (auth instanceof Promise) auth = await auth;
    const actor = auth !== undefined && 'subject' in auth ? auth : undefined;
    const key = actor ? `sub:${actor.subject}` : clientIpKey(clientAddress(req, trust));
    const hit = deps.clientLimit.take(key) ?? (await deps.clientLimit.hit(key));
    if (hit) {
      headers.set('ratelimit-policy', policy);
      headers.set('ratelimit-limit', limitText);
      headers.set('ratelimit-remaining', String(Math.max(limit - hit.totalHits, 0)));
      const reset = hit.resetAt ? Math.max(0, Math.ceil((hit.resetAt - Date.now()) / 1000)) : 60;
      headers.set('ratelimit-reset', String(reset));
      if (hit.totalHits > limit) {
        const seconds = retryAfterSeconds(hit.resetAt);
        throw new TooManyRequestsError(
          `More than ${limit} requests per minute from this client; retry in ${seconds} s`,
          seconds,
        );
      }
    }
    const upstream = deps.upstreams.get(target.service);
    if (!upstream) throw new NotFoundError(`There is no service "${target.service}" behind this gateway`);
    if (!actor) {
      const { error, challenge } = unauthenticated(auth as AuthFailure | undefined);
      headers.set('www-authenticate', challenge);
      throw error;
    }
    const path = checkedPath(target.pathAndQuery);
    const body = limitedBody(req, bodyLimitFor(req.method, target.service, path, deps.bodyLimits));
    await upstream.forward(req, res, path, body, {
      proto: forwardedProto(req, trust),
      host: forwardedHost(req, trust),
      requestId,
      headers,
    });
  }

  async function serve(req: IncomingMessage, res: ServerResponse, target: ApiTarget): Promise<void> {
    const started = performance.now();
    const headers = new AnswerHeaders(deps.securityHeaders);
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && plainRequestId.test(incoming) ? incoming : randomUUID();
    headers.set('x-request-id', requestId);
    const origin = req.headers.origin;
    if (origin !== undefined) deps.cors(origin, headers);
    let failure: unknown;
    try {
      await proxy(req, res, target, headers, requestId);
    } catch (error) {
      failure = error;
      if (res.headersSent) res.destroy();
      else writeProblem(res, toHttpError(error), req.url ?? '', headers);
    }
    const status = res.statusCode;
    const method = req.method ?? 'GET';
    const seconds = (performance.now() - started) / 1000;
    observerOf(method, target.service, status)?.observe(seconds);
    const level = status >= 500 ? 'error' : 'debug';
    if (logger.isLevelEnabled(level)) {
      const line = { reqId: requestId, method, url: req.url, status, ms: Math.round(seconds * 1000) };
      logger[level](failure && status >= 500 ? { ...line, err: failure } : line, 'request completed');
    }
  }

  return (req, res) => {
    const target = req.method === 'OPTIONS' ? undefined : apiTarget(req.url ?? '');
    if (target === undefined) {
      fallback(req, res);
      return;
    }
    serve(req, res, target).catch((error: unknown) => {
      logger.error({ err: error }, 'fast path failed');
      res.destroy();
    });
  };
}
