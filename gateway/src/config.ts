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
