import { env, loadConfigOrExit } from '@mathnet/kit';
import { z } from 'zod';

/** Registry configuration: every key is an environment variable. */
export const registryConfigSchema = z.object({
  /** HTTP port of the registry process (distributed mode). */
  PORT: env.port(8081),
  /** `postgres://…` or `pglite://<dir>` / `pglite://memory`. */
  DATABASE_URL: env
    .url(['postgres://', 'postgresql://', 'pglite://'])
    .default('postgres://postgres@127.0.0.1:5432/mathnet_registry'),
  /** `amqp://…` or `memory://`. */
  BUS_URL: env.url(['amqp://', 'amqps://', 'memory://']).default('amqp://guest:guest@127.0.0.1:5672'),
  /** E-mail of the network administrator created on first start. */
  MATHNET_ADMIN_EMAIL: z.email().default('admin@mathnet.local'),
  /** Password of that administrator; the default is refused when NODE_ENV=production. */
  MATHNET_ADMIN_PASSWORD: z.string().min(8).default('mathnet-admin'),
  /** Name of the district department created with the first administrator. */
  MATHNET_AUTHORITY_NAME: z.string().min(1).default('Управление образования'),
  /** Lifetime of access tokens, seconds. */
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  /** Lifetime of refresh tokens, days. */
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  NODE_ENV: z.string().default('development'),
  LOG_LEVEL: env.logLevel(),
});

export type RegistryConfig = z.infer<typeof registryConfigSchema>;

/** Reads and validates the registry's environment (exits with a clear message when invalid). */
export function readRegistryConfig(source: Record<string, string | undefined> = process.env): RegistryConfig {
  const config = loadConfigOrExit(registryConfigSchema, source);
  if (config.NODE_ENV === 'production' && config.MATHNET_ADMIN_PASSWORD === 'mathnet-admin') {
    process.stderr.write(
      'Invalid configuration:\n  - MATHNET_ADMIN_PASSWORD: the default password is refused in production; set your own\n',
    );
    process.exit(78);
  }
  return config;
}
