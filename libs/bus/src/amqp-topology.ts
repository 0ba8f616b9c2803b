import type { Channel, Options } from 'amqplib';

/** Header carrying the attempt number of the next delivery (absent on the first). */
export const ATTEMPT_HEADER = 'x-mathnet-attempt';
/** Headers of a message parked in `<group>.dead`. */
export const DEAD_ERROR_HEADER = 'x-mathnet-error';
export const DEAD_ATTEMPTS_HEADER = 'x-mathnet-attempts';
export const DEAD_AT_HEADER = 'x-mathnet-dead-at';

/** The content type of every message the bus publishes (structured-mode CloudEvents). */
export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json';

/** Names of a consumer group's queues. */
export interface GroupQueues {
  /** `<prefix><group>`: durable quorum queue bound to the exchange. */
  main: string;
  /** `<prefix><group>.dead`: durable classic queue of parked messages. */
  dead: string;
  /** `<prefix><group>.retry.<delayMs>`: durable classic queue whose TTL dead-letters back to `main`. */
  retry(delayMs: number): string;
  /** When set, the broker deletes each of these queues once it has gone unused that long (`x-expires`). */
  expiresMs?: number;
}

export function groupQueues(queuePrefix: string, group: string, expiresMs?: number): GroupQueues {
  const main = `${queuePrefix}${group}`;
  return {
    main,
    dead: `${main}.dead`,
    retry: (delayMs) => `${main}.retry.${delayMs}`,
    ...(expiresMs !== undefined ? { expiresMs } : {}),
  };
}

/**
 * Declares the topic exchange every event goes through. With `autoDelete` (test buses, whose
 * queues expire) the broker deletes it once its last queue binding is gone.
 */
export async function declareExchange(channel: Channel, exchange: string, autoDelete = false): Promise<void> {
  await channel.assertExchange(exchange, 'topic', { durable: true, autoDelete });
}

/**
 * Declares a group's queues and bindings (idempotent: every consumer of the group
 * declares the same). Bindings accumulate: a pattern dropped from the code stays
 * bound until removed on the broker.
 */
export async function declareGroup(
  channel: Channel,
  exchange: string,
  queues: GroupQueues,
  patterns: string[],
  retryDelaysMs: number[],
  singleActiveConsumer = false,
): Promise<void> {
  const expiry = queues.expiresMs !== undefined ? { 'x-expires': queues.expiresMs } : {};
  await channel.assertQueue(queues.main, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      ...(singleActiveConsumer ? { 'x-single-active-consumer': true } : {}),
      ...expiry,
    },
  });
  for (const pattern of patterns) await channel.bindQueue(queues.main, exchange, pattern);
  // Classic, so that reading dead letters (get, then nack with requeue) keeps their order.
  await channel.assertQueue(queues.dead, {
    durable: true,
    arguments: { 'x-queue-type': 'classic', ...expiry },
  });
  for (const delayMs of retryDelaysMs) {
    await channel.assertQueue(queues.retry(delayMs), {
      durable: true,
      arguments: {
        'x-queue-type': 'classic',
        'x-message-ttl': delayMs,
        // Expired messages go back to the group queue through the default exchange.
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': queues.main,
        ...expiry,
      },
    });
  }
}

/** Message headers without the broker's dead-lettering history and the bus's own bookkeeping. */
export function carriedHeaders(headers: Record<string, unknown> | undefined): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key === 'x-death' || key.startsWith('x-first-death') || key.startsWith('x-last-death')) continue;
    if (key === ATTEMPT_HEADER || key.startsWith('x-mathnet-')) continue;
    kept[key] = value;
  }
  return kept;
}

/** Properties for re-publishing a consumed message (retry, dead letter, replay) with new headers. */
export function republishOptions(
  properties: { contentType?: unknown; messageId?: unknown; type?: unknown; timestamp?: unknown },
  headers: Record<string, unknown>,
): Options.Publish {
  const options: Options.Publish = { persistent: true, headers };
  options.contentType =
    typeof properties.contentType === 'string' ? properties.contentType : CLOUDEVENTS_CONTENT_TYPE;
  if (typeof properties.messageId === 'string') options.messageId = properties.messageId;
  if (typeof properties.type === 'string') options.type = properties.type;
  if (typeof properties.timestamp === 'number') options.timestamp = properties.timestamp;
  return options;
}

/** The attempt number of a delivery, from its header (1 when absent or garbled). */
export function attemptOf(headers: Record<string, unknown> | undefined): number {
  const value = Number(headers?.[ATTEMPT_HEADER]);
  return Number.isInteger(value) && value >= 1 ? value : 1;
}
