import { isIP, isIPv4 } from 'node:net';
import { env, loadConfig, loadConfigOrExit } from '@mathnet/kit';
import { z } from 'zod';

/** Names the gateway answers itself under `/api/`; no upstream may take them. */
const reservedServiceNames = new Set(['auth', 'docs']);
const serviceName = /^[a-z][a-z0-9-]{0,39}$/;

const httpUrl = env.url(['http://', 'https://']).refine((v) => URL.canParse(v), 'expected a valid URL');

/** `name=url,name=url` → `{ name: url }`, every name and URL checked. */
const serviceUrls = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const result: Record<string, string> = {};
    for (const entry of value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const at = entry.indexOf('=');
      const name = at > 0 ? entry.slice(0, at).trim() : '';
      const url = at > 0 ? entry.slice(at + 1).trim() : '';
      if (!serviceName.test(name) || reservedServiceNames.has(name)) {
        ctx.addIssue({
          code: 'custom',
          message: `expected name=url pairs with lower-case names other than auth and docs, but "${entry}" has the name "${name}"`,
        });
      } else if (!/^https?:\/\//.test(url) || !URL.canParse(url)) {
        ctx.addIssue({ code: 'custom', message: `expected an http(s) URL for "${name}", got "${url}"` });
      } else {
        result[name] = url;
      }
    }
    return result;
  });

const perWindow = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

const namedRanges = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** One `trust proxy` entry: a named range, an address, or an address with a prefix length (or IPv4 netmask). */
function isTrustEntry(entry: string): boolean {
  if (namedRanges.has(entry)) return true;
  const slash = entry.indexOf('/');
  const address = slash >= 0 ? entry.slice(0, slash) : entry;
  const version = isIP(address);
  if (version === 0) return false;
  if (slash < 0) return true;
  const range = entry.slice(slash + 1);
  if (/^\d{1,3}$/.test(range)) return Number(range) <= (version === 4 ? 32 : 128);
  return version === 4 && isIPv4(range);
}

/**
 * express's `trust proxy`: `true`/`false`, a hop count (`1`), or a comma-separated
 * list of addresses, subnets and the names loopback, linklocal, uniquelocal.
 */
const trustProxy = z
  .string()
  .default('loopback')
  .transform((value, ctx): string | boolean | number => {
    const trimmed = value.trim();
    if (trimmed === 'true') return true;
    if (trimmed === 'false') return false;
    if (/^\d+$/.test(trimmed)) return Number(trimmed);
    const entries = trimmed
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = entries.filter((entry) => !isTrustEntry(entry));
    if (entries.length === 0 || bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `expected true, false, a hop count, or addresses/subnets (e.g. 10.0.0.0/8) and loopback, linklocal, uniquelocal, comma separated${bad.length ? `; not understood: ${bad.map((b) => `"${b}"`).join(', ')}` : ''}`,
      });
      return z.NEVER;
    }
    return entries.join(', ');
  });

/** The gateway's environment: every key, its default and what it means. */
export const gatewayConfigSchema = z.object({
  /** Port the gateway listens on. */
  PORT: env.port(8080),
  /** Base URL of the registry service (identity, token endpoint, JWKS); it is the `registry` upstream. */
  REGISTRY_URL: httpUrl.default('http://127.0.0.1:8081'),
  /** Further upstreams as `name=url,name=url`, e.g. `courses=http://courses:8080`; served at `/api/<name>/…`. */
  SERVICE_URLS: serviceUrls,
  /** Store of the rate-limit counters: `redis://…` (shared by every gateway replica) or `memory://` (this process only). */
  REDIS_URL: env.url(['redis://', 'rediss://', 'memory://']).default('memory://'),
  /** Origins allowed to call the API from a browser, comma separated; empty allows no cross-origin calls. */
  CORS_ORIGINS: env.list(),
  /** Requests per minute per client on `/api/*` (keyed by the token's subject, else by IP). */
  RATE_LIMIT_PER_MINUTE: perWindow(600),
  /** Requests per minute per IP on `POST /api/auth/token`. */
  TOKEN_RATE_LIMIT_PER_MINUTE: perWindow(30),
  /** Failed token requests (wrong password, bad client secret) per account in 15 minutes before it is locked out. */
  LOGIN_FAILURES_PER_15_MIN: perWindow(5),
  /** Largest body of lms-bridge's OneRoster import (`POST /api/lms-bridge/v1/connections/{id}/imports`), MB; streamed, never held. */
  MAX_IMPORT_MB: z.coerce.number().int().min(1).max(2048).default(256),
  /** Which peers may set X-Forwarded-For/-Proto/-Host (express's `trust proxy`): `loopback` unless behind a proxy on another host. */
  TRUST_PROXY: trustProxy,
  /** pino log level. */
  LOG_LEVEL: env.logLevel(),
});

/** The validated gateway configuration. */
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

/** Reads and validates the gateway's environment; throws kit's ConfigError naming every bad variable. */
export function loadGatewayConfig(source: Record<string, string | undefined> = process.env): GatewayConfig {
  return loadConfig(gatewayConfigSchema, source);
}

/** As {@link loadGatewayConfig}, but prints the problems and exits (status 78) instead of throwing. */
export function loadGatewayConfigOrExit(
  source: Record<string, string | undefined> = process.env,
): GatewayConfig {
  return loadConfigOrExit(gatewayConfigSchema, source);
}

/** The upstream table of a config: `registry` plus every `SERVICE_URLS` entry. */
export function upstreamsOf(config: GatewayConfig): Record<string, string> {
  return { ...config.SERVICE_URLS, registry: config.REGISTRY_URL };
}
