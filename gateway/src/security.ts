import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import type { AnswerHeaders } from './answer-headers';

/** Response headers by lower-case name. */
export type HeaderMap = Record<string, string | string[]>;

/**
 * The security headers of every answer, computed once. The CSP is helmet's
 * default (scripts and styles from this origin only), which Swagger UI at
 * /api/docs lives with: its page loads its scripts as files, uses inline styles
 * (allowed by helmet's `style-src`) and data: images.
 * `upgrade-insecure-requests` is left out because the standalone mode is often
 * served over plain http on a school's LAN, where upgraded sub-requests would
 * fail. helmet's headers depend on nothing in the request (no nonces), so
 * helmet runs once against a stand-in response and its headers are replayed.
 */
export function securityHeaderMap(): HeaderMap {
  const headers: HeaderMap = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? [...value] : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  const middleware = helmet({
    contentSecurityPolicy: {
      directives: {
        'upgrade-insecure-requests': null,
        'connect-src': ["'self'"],
      },
    },
  });
  let finished = false;
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
    finished = true;
  });
  if (!finished) throw new Error('helmet did not finish synchronously; its headers cannot be precomputed');
  return headers;
}

/** A header map as `name, value, …` pairs. */
export function headerPairs(headers: HeaderMap): string[] {
  return Object.entries(headers).flatMap(([name, value]) =>
    Array.isArray(value) ? value.flatMap((v) => [name, v]) : [name, value],
  );
}

/** Express middleware setting {@link securityHeaderMap}'s headers. */
export function securityHeaders(headers: HeaderMap = securityHeaderMap()): RequestHandler {
  const entries = Object.entries(headers);
  return (_req, res, next) => {
    for (const [name, value] of entries) res.setHeader(name, value);
    next();
  };
}

const exposedHeaders = [
  'ETag',
  'Location',
  'Retry-After',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'RateLimit-Policy',
  'X-Request-Id',
];

function allowedOrigins(origins: string[]): Set<string> {
  return new Set(origins.map((o) => o.replace(/\/+$/, '')));
}

/**
 * The CORS headers {@link corsAllowlist} gives an actual (not preflight) request
 * from `origin`, as a function for the fast path: `Vary: Origin` always, the
 * allow and expose headers for an allowed origin only.
 */
export function corsForRequests(origins: string[]): (origin: string, headers: AnswerHeaders) => void {
  const allowed = allowedOrigins(origins);
  const exposed = exposedHeaders.join(',');
  return (origin, headers) => {
    headers.set('vary', 'Origin');
    if (!allowed.has(origin)) return;
    headers.set('access-control-allow-origin', origin);
    headers.set('access-control-expose-headers', exposed);
  };
}

/**
 * CORS for an allowlist of origins. Allowed origins get the CORS headers (and
 * preflights answered); any other origin gets none, so the browser blocks it.
 * Tokens travel in the Authorization header, not cookies: no credentials mode.
 */
export function corsAllowlist(origins: string[]): RequestHandler {
  const allowed = allowedOrigins(origins);
  const handler = cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    exposedHeaders,
    maxAge: 600,
  });
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (origin === undefined) return next();
    // The answer depends on Origin whatever it is: caches must keep the variants apart.
    res.vary('Origin');
    if (!allowed.has(origin)) return next();
    handler(req, res, next);
  };
}
