import { createJwksVerifier } from '@mathnet/auth';
import { createEventBus } from '@mathnet/bus';
import { createDatabase } from '@mathnet/db';
import { createLogger, Lifecycle, listen } from '@mathnet/kit';
import { readCoursesConfig, routePolicyOf } from './config';
import { createCoursesService } from './service';

/** Distributed mode: courses as its own process on PostgreSQL and RabbitMQ. */
const config = readCoursesConfig();
const logger = createLogger('courses', config.LOG_LEVEL);
const lifecycle = new Lifecycle(logger);
lifecycle.handleSignals();
try {
  const database = lifecycle.add('database', await createDatabase(config.DATABASE_URL, { logger }));
  const bus = lifecycle.add('bus', createEventBus(config.BUS_URL, { logger }));
  await bus.start();
  const verifier = createJwksVerifier({
    jwksUrl: new URL('/.well-known/jwks.json', config.REGISTRY_URL).toString(),
  });
  const courses = lifecycle.add(
    'courses',
    createCoursesService({ database, bus, logger, verifier, routePolicy: routePolicyOf(config) }),
  );
  await courses.start();
  const server = lifecycle.add('http', await listen(courses.app, config.PORT));
  logger.info({ url: server.url }, 'courses listening');
} catch (error) {
  logger.fatal({ err: error }, 'courses failed to start');
  await lifecycle.close();
  process.exit(1);
}
