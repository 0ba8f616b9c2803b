import { InputError, type Logger } from '@mathnet/kit';
import { AmqpEventBus } from './amqp-event-bus';
import type { EventBus } from './event-bus';
import { MemoryEventBus } from './memory-event-bus';

/** Options of {@link createEventBus}. */
export interface CreateEventBusOptions {
  logger: Logger;
  /** Topic exchange of all events (AMQP). Default `mathnet.events`. */
  exchange?: string;
  /** Prepended to every queue name, for test isolation (AMQP). Default ''. */
  queuePrefix?: string;
  /** Queues unused this long are deleted by the broker, for tests only (AMQP; see AmqpEventBusOptions). */
  queueExpiresMs?: number;
  /** How long close() waits for handlers in flight. Default 5000 ms. */
  closeGraceMs?: number;
}

/** The exchange of the network's events. */
export const DEFAULT_EXCHANGE = 'mathnet.events';

/**
 * The event bus for a URL: `amqp://` or `amqps://` is RabbitMQ, `memory://` the
 * in-process bus. Any other scheme throws, naming it. Call `start()` before use.
 */
export function createEventBus(url: string, options: CreateEventBusOptions): EventBus {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  const { logger, closeGraceMs } = options;
  switch (scheme) {
    case 'amqp':
    case 'amqps':
      return new AmqpEventBus(url, {
        logger,
        exchange: options.exchange ?? DEFAULT_EXCHANGE,
        queuePrefix: options.queuePrefix ?? '',
        ...(options.queueExpiresMs !== undefined ? { queueExpiresMs: options.queueExpiresMs } : {}),
        ...(closeGraceMs !== undefined ? { closeGraceMs } : {}),
      });
    case 'memory':
      return new MemoryEventBus({ logger, ...(closeGraceMs !== undefined ? { closeGraceMs } : {}) });
    default:
      throw new InputError(
        `Unsupported event bus URL scheme ${scheme ? `"${scheme}:"` : `(none in ${JSON.stringify(url.slice(0, 40))})`}; expected amqp://, amqps:// or memory://`,
      );
  }
}
