import cors from 'cors';
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Security headers. The CSP is helmet's default (scripts and styles from this
 * origin only), which Swagger UI at /api/docs lives with: its page loads its
 * scripts as files, uses inline styles (allowed by helmet's `style-src`) and
 * data: images. `upgrade-insecure-requests` is left out because the standalone
 * mode is often served over plain http on a school's LAN, where upgraded
 * sub-requests would fail.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      directives: {
        'upgrade-insecure-requests': null,
        'connect-src': ["'self'"],
      },
    },
  });
}

/**
 * CORS for an allowlist of origins. Allowed origins get the CORS headers (and
 * preflights answered); any other origin gets none, so the browser blocks it.
 * Tokens travel in the Authorization header, not cookies: no credentials mode.
 */
export function corsAllowlist(origins: string[]): RequestHandler {
  const allowed = new Set(origins.map((o) => o.replace(/\/+$/, '')));
  const handler = cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    exposedHeaders: [
      'ETag',
      'Location',
      'Retry-After',
      'RateLimit-Limit',
      'RateLimit-Remaining',
      'RateLimit-Reset',
      'RateLimit-Policy',
      'X-Request-Id',
    ],
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
