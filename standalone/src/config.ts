import { env, loadConfigOrExit } from '@mathnet/kit';
import { z } from 'zod';

/** Standalone mode configuration (environment variables). */
export const standaloneConfigSchema = z.object({
  /** The one public port: gateway, API and docs. */
  PORT: env.port(8080),
  /** Where the embedded PostgreSQL (PGlite) keeps its files, and the lock file. */
  MATHNET_DATA_DIR: z.string().min(1).default('./data'),
  /** Load the demo district into an empty data directory (0 turns it off). */
  MATHNET_DEMO: env.bool(true),
  MATHNET_ADMIN_EMAIL: z.email().default('admin@mathnet.local'),
  MATHNET_ADMIN_PASSWORD: z.string().min(8).default('mathnet-admin'),
  MATHNET_AUTHORITY_NAME: z.string().min(1).default('Управление образования'),
  /** Origins allowed to call the API from a browser (comma separated). */
  CORS_ORIGINS: env.list(),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  TOKEN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  LOGIN_FAILURES_PER_15_MIN: z.coerce.number().int().min(1).default(5),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** Individual routes: least and most total hours a year, and how many advanced-level subjects at least. */
  ROUTE_MIN_HOURS: z.coerce.number().int().min(0).default(0),
  ROUTE_MAX_HOURS: z.coerce.number().int().min(1).default(1200),
  ROUTE_MIN_ADVANCED_SUBJECTS: z.coerce.number().int().min(0).default(0),
  /** AES-256-GCM key for LMS connection secrets (32 bytes base64); generated into the data directory when unset. */
  MATHNET_SECRETS_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, '32 bytes, base64 encoded')
    .optional(),
  /** LMS connector packages to load (comma separated); the built-in OneRoster and Moodle connectors by default. */
  MATHNET_CONNECTORS: env.list(),
  /** Largest LMS import file, megabytes. */
  MAX_IMPORT_MB: z.coerce.number().int().min(1).max(2048).default(256),
  LOG_LEVEL: env.logLevel(),
});

export type StandaloneConfig = z.infer<typeof standaloneConfigSchema>;

export function readStandaloneConfig(
  source: Record<string, string | undefined> = process.env,
): StandaloneConfig {
  return loadConfigOrExit(standaloneConfigSchema, source);
}
