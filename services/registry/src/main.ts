import { createEventBus } from '@mathnet/bus';
import { createDatabase } from '@mathnet/db';
import { createLogger, Lifecycle, listen } from '@mathnet/kit';
import { readRegistryConfig } from './config';
import { createRegistryService } from './service';

/** Distributed mode: registry as its own process on PostgreSQL and RabbitMQ. */
const config = readRegistryConfig();
const logger = createLogger('registry', config.LOG_LEVEL);
const lifecycle = new Lifecycle(logger);
lifecycle.handleSignals();
try {
  const database = lifecycle.add('database', await createDatabase(config.DATABASE_URL, { logger }));
  const bus = lifecycle.add('bus', createEventBus(config.BUS_URL, { logger }));
  await bus.start();
  const registry = lifecycle.add('registry', createRegistryService({ database, bus, logger, config }));
  await registry.start();
  const server = lifecycle.add('http', await listen(registry.app, config.PORT));
  logger.info({ url: server.url }, 'registry listening');
} catch (error) {
  logger.fatal({ err: error }, 'registry failed to start');
  await lifecycle.close();
  process.exit(1);
}
