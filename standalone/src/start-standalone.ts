import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createEventBus, type EventBus } from '@mathnet/bus';
import { type CoursesDemoSummary, createCoursesService } from '@mathnet/courses';
import { createDatabase } from '@mathnet/db';
import { createGateway } from '@mathnet/gateway';
import { Lifecycle, type Logger, listen } from '@mathnet/kit';
import { builtInConnectors, createBridgeService, loadConnectors } from '@mathnet/lms-bridge';
import { createRegistryService, type DemoSummary } from '@mathnet/registry';
import type { StandaloneConfig } from './config';
import { lockDataDir } from './data-dir-lock';
import { secretsKeyOf } from './secrets-key';

export interface StandaloneNetwork {
  /** Public URL of the gateway. */
  url: string;
  /** True when this start created the data directory's database. */
  createdData: boolean;
  demo: DemoSummary | undefined;
  coursesDemo: CoursesDemoSummary | undefined;
  /** The in-process bus (tests record events on it). */
  bus: EventBus;
  close(): Promise<void>;
}

/**
 * The whole network in one process: one PGlite under the data directory (each
 * service in its own schema), the in-process bus and key-value store, each
 * service's app on a loopback port, and the gateway on `PORT`.
 */
export async function startStandalone(config: StandaloneConfig, logger: Logger): Promise<StandaloneNetwork> {
  const lifecycle = new Lifecycle(logger);
  const dataDir = resolve(config.MATHNET_DATA_DIR);
  const lock = lockDataDir(dataDir);
  lifecycle.add('data-dir-lock', { close: () => lock.release() });
  try {
    const pgliteDir = join(dataDir, 'pglite');
    const createdData = !existsSync(join(pgliteDir, 'PG_VERSION'));
    const database = lifecycle.add('database', await createDatabase(`pglite://${pgliteDir}`, { logger }));
    const bus = lifecycle.add('bus', createEventBus('memory://', { logger }));
    await bus.start();

    const registry = lifecycle.add(
      'registry',
      createRegistryService({ database, bus, logger: logger.child({ service: 'registry' }), config }),
    );

    const courses = lifecycle.add(
      'courses',
      createCoursesService({
        database,
        bus,
        logger: logger.child({ service: 'courses' }),
        verifier: registry.verifier,
        processMetrics: false,
        routePolicy: {
          minHours: config.ROUTE_MIN_HOURS,
          maxHours: config.ROUTE_MAX_HOURS,
          minAdvancedSubjects: config.ROUTE_MIN_ADVANCED_SUBJECTS,
        },
      }),
    );
    const bridge = lifecycle.add(
      'lms-bridge',
      createBridgeService({
        database,
        bus,
        logger: logger.child({ service: 'lms-bridge' }),
        verifier: registry.verifier,
        connectors: await loadConnectors(
          config.MATHNET_CONNECTORS.length ? config.MATHNET_CONNECTORS : builtInConnectors,
        ),
        secretsKey: config.MATHNET_SECRETS_KEY ?? secretsKeyOf(dataDir, logger),
        maxImportBytes: config.MAX_IMPORT_MB * 1024 * 1024,
        runPollMs: 500,
        // One process: a running run found at start-up was interrupted by the previous process's end.
        runStaleMs: 1000,
        processMetrics: false,
      }),
    );

    // Consumers subscribe before producers start: the in-process bus (like an undeclared AMQP queue) keeps nothing for absent groups.
    await courses.start();
    await bridge.start();
    await registry.start();
    const registryServer = lifecycle.add('registry-http', await listen(registry.app, 0, '127.0.0.1'));
    const coursesServer = lifecycle.add('courses-http', await listen(courses.app, 0, '127.0.0.1'));
    const bridgeServer = lifecycle.add('lms-bridge-http', await listen(bridge.app, 0, '127.0.0.1'));

    const demo = createdData && config.MATHNET_DEMO ? await registry.seedDemo() : undefined;
    // Registry's demo people reach courses as events; the first administrator is one more person.
    const coursesDemo = demo ? await courses.seedDemo(demo.people + 1) : undefined;

    const gateway = createGateway({
      logger: logger.child({ service: 'gateway' }),
      upstreams: { registry: registryServer.url, courses: coursesServer.url, 'lms-bridge': bridgeServer.url },
      verifier: registry.verifier,
      rateLimit: { store: 'memory' },
      corsOrigins: config.CORS_ORIGINS,
      limits: {
        perClientPerMinute: config.RATE_LIMIT_PER_MINUTE,
        tokenPerIpPerMinute: config.TOKEN_RATE_LIMIT_PER_MINUTE,
        loginFailuresPer15Min: config.LOGIN_FAILURES_PER_15_MIN,
        maxImportBytes: config.MAX_IMPORT_MB * 1024 * 1024,
      },
    });
    lifecycle.add('gateway', gateway);
    await gateway.start();
    const server = lifecycle.add('gateway-http', await listen(gateway.handler, config.PORT));
    return { url: server.url, createdData, demo, coursesDemo, bus, close: () => lifecycle.close() };
  } catch (error) {
    await lifecycle.close();
    throw error;
  }
}
