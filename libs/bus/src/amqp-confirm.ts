import type { ConfirmChannel, Options } from 'amqplib';

/**
 * Publishes on a confirm channel and resolves when the broker confirmed the message
 * (rejects on a nack or when the channel closes first). Call it for many messages
 * before awaiting any: confirms then arrive pipelined, not one round trip each.
 */
export function publishConfirmed(
  channel: ConfirmChannel,
  exchange: string,
  routingKey: string,
  content: Buffer,
  options: Options.Publish,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    try {
      channel.publish(exchange, routingKey, content, options, (error: unknown) =>
        error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
      );
    } catch (error) {
      // IllegalOperationError when the channel is already closed.
      reject(error);
    }
  });
}

/** {@link publishConfirmed} straight to a queue through the default exchange. */
export function sendConfirmed(
  channel: ConfirmChannel,
  queue: string,
  content: Buffer,
  options: Options.Publish,
): Promise<void> {
  return publishConfirmed(channel, '', queue, content, options);
}
