import { createLogger } from '@mathnet/kit';
import { createEventBus } from '../src/index';
import { runBusContract } from './bus-contract';

const logger = createLogger('bus-test', process.env.LOG_LEVEL ?? 'error');

runBusContract('memory', async () => {
  const bus = createEventBus('memory://', { logger });
  await bus.start();
  return { bus, close: () => bus.close() };
});
