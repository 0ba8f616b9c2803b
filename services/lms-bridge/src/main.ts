import { createJwksVerifier } from '@mathnet/auth';
import { createEventBus } from '@mathnet/bus';
import { createDatabase } from '@mathnet/db';
import { createLogger, Lifecycle, listen } from '@mathnet/kit';
import { readBridgeConfig } from './config';
import { loadConnectors } from './connectors/load-connectors';
import { createBridgeService } from './service';

/** Distributed mode: lms-bridge as its own process on PostgreSQL and RabbitMQ. */
const config = readBridgeConfig();
const logger = createLogger('lms-bridge', config.LOG_LEVEL);
const lifecycle = new Lifecycle(logger);
lifecycle.handleSignals();
try {
  const connectors = await loadConnectors(config.MATHNET_CONNECTORS);
  logger.info({ connectors: [...connectors.keys()] }, 'connectors loaded');
  const database = lifecycle.add('database', await createDatabase(config.DATABASE_URL, { logger }));
  const bus = lifecycle.add('bus', createEventBus(config.BUS_URL, { logger }));
  await bus.start();
  const verifier = createJwksVerifier({
    jwksUrl: new URL('/.well-known/jwks.json', config.REGISTRY_URL).toString(),
  });
  const bridge = lifecycle.add(
    'lms-bridge',
    createBridgeService({
      database,
      bus,
      logger,
      verifier,
      connectors,
      secretsKey: config.MATHNET_SECRETS_KEY,
      maxImportBytes: config.MAX_IMPORT_MB * 1024 * 1024,
      runPollMs: config.RUN_POLL_MS,
      runStaleMs: config.RUN_STALE_MS,
      pageSize: config.LMS_PAGE_SIZE,
    }),
  );
  await bridge.start();
  const server = lifecycle.add('http', await listen(bridge.app, config.PORT));
  logger.info({ url: server.url }, 'lms-bridge listening');
} catch (error) {
  logger.fatal({ err: error }, 'lms-bridge failed to start');
  await lifecycle.close();
  process.exit(1);
}
