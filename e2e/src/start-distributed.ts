import { freePort } from './free-port';
import { type SpawnedService, spawnService } from './spawn-service';

/** The infrastructure and settings of a distributed start. */
export interface DistributedOptions {
  /** Registry's `DATABASE_URL` (a database of its own). */
  databaseUrl: string;
  /** `BUS_URL` of the services. */
  amqpUrl: string;
  /** Gateway's `REDIS_URL`. */
  redisUrl: string;
  adminEmail: string;
  adminPassword: string;
  /** `LOG_LEVEL` of every process; default `info`. */
  logLevel?: string;
  /** More environment for the gateway (e.g. `RATE_LIMIT_PER_MINUTE`). */
  gatewayEnv?: Record<string, string>;
  /** More environment for the registry. */
  registryEnv?: Record<string, string>;
  /** Passed to {@link spawnService} for each process. */
  onOutput?: (service: string, text: string) => void;
}

/** Registry and gateway, each its own process. */
export interface DistributedNetwork {
  registry: SpawnedService;
  gateway: SpawnedService;
  /** The captured output of both, labelled, for a failure report. */
  output(): string;
  /** Stops the gateway, then registry (SIGTERM); resolves with both exits. */
  stop(): Promise<{ gateway: number | null; registry: number | null }>;
}

/**
 * Starts registry, then the gateway in front of it, as separate processes on
 * free ports, and resolves when both answer `/health/ready` with 200.
 */
export async function startDistributed(options: DistributedOptions): Promise<DistributedNetwork> {
  const logLevel = options.logLevel ?? 'info';
  const registry = await spawnService({
    name: 'registry',
    entry: 'services/registry/src/main.ts',
    port: await freePort(),
    env: {
      DATABASE_URL: options.databaseUrl,
      BUS_URL: options.amqpUrl,
      MATHNET_ADMIN_EMAIL: options.adminEmail,
      MATHNET_ADMIN_PASSWORD: options.adminPassword,
      LOG_LEVEL: logLevel,
      ...options.registryEnv,
    },
    ...(options.onOutput ? { onOutput: (text: string) => options.onOutput?.('registry', text) } : {}),
  });
  let gateway: SpawnedService;
  try {
    gateway = await spawnService({
      name: 'gateway',
      entry: 'gateway/src/main.ts',
      port: await freePort(),
      env: {
        REGISTRY_URL: registry.url,
        REDIS_URL: options.redisUrl,
        LOG_LEVEL: logLevel,
        ...options.gatewayEnv,
      },
      ...(options.onOutput ? { onOutput: (text: string) => options.onOutput?.('gateway', text) } : {}),
    });
  } catch (error) {
    await registry.stop();
    throw error;
  }
  return {
    registry,
    gateway,
    output: () => `--- registry ---\n${registry.output()}\n--- gateway ---\n${gateway.output()}`,
    async stop() {
      const gatewayExit = await gateway.stop();
      const registryExit = await registry.stop();
      return { gateway: gatewayExit.code, registry: registryExit.code };
    },
  };
}
