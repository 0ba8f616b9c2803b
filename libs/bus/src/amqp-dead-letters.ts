import type { ChannelModel, GetMessage } from 'amqplib';
import { sendConfirmed } from './amqp-confirm';
import {
  carriedHeaders,
  DEAD_AT_HEADER,
  DEAD_ATTEMPTS_HEADER,
  DEAD_ERROR_HEADER,
  type GroupQueues,
  republishOptions,
} from './amqp-topology';
import { deadLetterEvent } from './decode-event';
import type { DeadLetter } from './event-bus';

/** Message count of a queue, or undefined when it does not exist (its check closes the channel then). */
async function queueDepth(model: ChannelModel, queue: string): Promise<number | undefined> {
  const channel = await model.createChannel();
  channel.on('error', () => {}); // a 404 closes the channel with an error event; the rejection says it all
  try {
    const { messageCount } = await channel.checkQueue(queue);
    return messageCount;
  } catch {
    return undefined;
  } finally {
    await channel.close().catch(() => {});
  }
}

/**
 * Reads up to `limit` dead letters without removing them: gets them unacked, then
 * nacks them all with requeue, which puts them back at their original position in
 * the (classic) dead queue. Oldest first.
 */
export async function readDeadLetters(
  model: ChannelModel,
  queues: GroupQueues,
  limit: number,
): Promise<DeadLetter[]> {
  const depth = await queueDepth(model, queues.dead);
  if (!depth) return [];
  const channel = await model.createChannel();
  channel.on('error', () => {});
  const messages: GetMessage[] = [];
  try {
    while (messages.length < Math.min(limit, depth)) {
      const message = await channel.get(queues.dead, { noAck: false });
      if (!message) break;
      messages.push(message);
    }
    const last = messages.at(-1);
    if (last) channel.nack(last, true, true);
  } finally {
    await channel.close().catch(() => {});
  }
  return messages.map(toDeadLetter);
}

function toDeadLetter(message: GetMessage): DeadLetter {
  const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
  const deadAt =
    typeof headers[DEAD_AT_HEADER] === 'string' ? headers[DEAD_AT_HEADER] : new Date(0).toISOString();
  const messageId =
    typeof message.properties.messageId === 'string' ? message.properties.messageId : undefined;
  return {
    event: deadLetterEvent(message.content.toString('utf8'), messageId, deadAt),
    error: String(headers[DEAD_ERROR_HEADER] ?? ''),
    attempts: Number(headers[DEAD_ATTEMPTS_HEADER] ?? 0),
    deadAt,
  };
}

/**
 * Moves the group's dead letters back to its queue with the attempt count reset:
 * every copy is confirmed by the broker before the originals are acked, so a
 * failure half-way leaves them parked (at worst duplicated, never lost). Only the
 * letters present at the start are moved, so ones that fail again are not looped.
 */
export async function replayDeadLetters(model: ChannelModel, queues: GroupQueues): Promise<number> {
  const depth = await queueDepth(model, queues.dead);
  if (!depth) return 0;
  if ((await queueDepth(model, queues.main)) === undefined) {
    throw new Error(
      `cannot replay dead letters: queue ${queues.main} does not exist (subscribe the group first)`,
    );
  }
  const channel = await model.createConfirmChannel();
  channel.on('error', () => {});
  try {
    const confirms: Promise<void>[] = [];
    let last: GetMessage | undefined;
    while (confirms.length < depth) {
      const message = await channel.get(queues.dead, { noAck: false });
      if (!message) break;
      last = message;
      const options = republishOptions(message.properties, carriedHeaders(message.properties.headers));
      confirms.push(sendConfirmed(channel, queues.main, message.content, options));
    }
    await Promise.all(confirms);
    if (last) channel.ack(last, true);
    return confirms.length;
  } finally {
    await channel.close().catch(() => {});
  }
}
