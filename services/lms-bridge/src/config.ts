import { env, loadConfigOrExit } from '@mathnet/kit';
import { z } from 'zod';
import { builtInConnectors } from './connectors/load-connectors';
import { defaultPageSize } from './sync/run-worker';

/** lms-bridge configuration: every key is an environment variable. */
export const bridgeConfigSchema = z.object({
  PORT: env.port(8083),
  DATABASE_URL: env
    .url(['postgres://', 'postgresql://', 'pglite://'])
    .default('postgres://postgres@127.0.0.1:5432/mathnet_lms_bridge'),
  BUS_URL: env.url(['amqp://', 'amqps://', 'memory://']).default('amqp://guest:guest@127.0.0.1:5672'),
  /** Where registry publishes its JWKS. */
  REGISTRY_URL: z.url().default('http://127.0.0.1:8081'),
  /** AES-256-GCM key for connection secrets: 32 bytes, base64 (`openssl rand -base64 32`). Required. */
  MATHNET_SECRETS_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, '32 bytes, base64 encoded'),
  /** Connector packages to load (comma separated package names). */
  MATHNET_CONNECTORS: env.list().transform((list) => (list.length ? list : builtInConnectors)),
  /** Largest accepted import file, megabytes. */
  MAX_IMPORT_MB: z.coerce.number().int().min(1).max(2048).default(256),
  /** How often the run worker looks for queued runs and due schedules, milliseconds. */
  RUN_POLL_MS: z.coerce.number().int().min(50).default(1000),
  /** A running run whose heartbeat is older than this (ms) is resumed by another worker: its process died. */
  RUN_STALE_MS: z.coerce.number().int().min(500).default(15_000),
  /**
   * Records per page a sync run asks of connectors; each page is applied in one
   * transaction and its changes go out as batch events (at most 1,000 people or
   * 5,000 enrollments an event, so a bigger page makes several events).
   */
  LMS_PAGE_SIZE: z.coerce.number().int().min(1).max(10_000).default(defaultPageSize),
  LOG_LEVEL: env.logLevel(),
});

export type BridgeConfig = z.infer<typeof bridgeConfigSchema>;

export function readBridgeConfig(source: Record<string, string | undefined> = process.env): BridgeConfig {
  return loadConfigOrExit(bridgeConfigSchema, source);
}
