import type { Logger } from '@mathnet/kit';
import type { ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { sendConfirmed } from './amqp-confirm';
import {
  ATTEMPT_HEADER,
  attemptOf,
  carriedHeaders,
  DEAD_AT_HEADER,
  DEAD_ATTEMPTS_HEADER,
  DEAD_ERROR_HEADER,
  declareGroup,
  type GroupQueues,
  republishOptions,
} from './amqp-topology';
import { decodeEvent } from './decode-event';
import { PermanentError } from './event-bus';
import {
  errorText,
  retryDelayFor,
  retryDelaysInUse,
  type SubscriptionSettings,
} from './subscription-settings';
import { runInEventContext } from './trace-context';

/**
 * One consumer of a group on RabbitMQ: its own confirm channel with the group's
 * prefetch, consuming the group's quorum queue with manual acks. A message is acked
 * only after the handler settled and, on failure, after its retry or dead-letter copy
 * was confirmed by the broker. {@link start} runs again on a new connection after a
 * reconnect; deliveries of the old channel are then redelivered by the broker.
 */
export class AmqpSubscription {
  private channel: ConfirmChannel | undefined;
  private consumerTag: string | undefined;
  private closed = false;
  private starting: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly settings: SubscriptionSettings,
    private readonly exchange: string,
    private readonly queues: GroupQueues,
    private readonly logger: Logger,
    /** Asks the bus to start this subscription again (its channel closed while the connection lives). */
    private readonly recover: (subscription: AmqpSubscription) => void,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  /** Opens a channel on `model`, declares the group's topology and starts consuming. */
  async start(model: ChannelModel): Promise<void> {
    // A reconnect and a channel recovery may both ask; one consumer per subscription.
    if (this.closed || this.channel) return;
    if (!this.starting) this.starting = this.open(model).finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async open(model: ChannelModel): Promise<void> {
    const channel = await model.createConfirmChannel();
    channel.on('error', (error: Error) =>
      this.logger.warn({ err: error, group: this.settings.group }, 'event bus: consumer channel error'),
    );
    channel.on('close', () => {
      if (this.channel !== channel) return;
      this.channel = undefined;
      this.consumerTag = undefined;
      if (!this.closed) this.recover(this);
    });
    try {
      await channel.prefetch(this.settings.prefetch);
      const { patterns } = this.settings;
      await declareGroup(
        channel,
        this.exchange,
        this.queues,
        patterns,
        retryDelaysInUse(this.settings),
        this.settings.singleActiveConsumer,
      );
      this.channel = channel;
      const { consumerTag } = await channel.consume(
        this.queues.main,
        (message) => this.onMessage(channel, message),
        {
          noAck: false,
        },
      );
      this.consumerTag = consumerTag;
    } catch (error) {
      if (this.channel === channel) this.channel = undefined;
      await channel.close().catch(() => {});
      throw error;
    }
    if (this.closed) await this.closeChannel();
  }

  /** Stops consuming at once; unacked deliveries go back to the queue (redelivered), late acks are dropped. */
  async close(): Promise<void> {
    this.closed = true;
    await this.closeChannel();
  }

  /** Stops receiving new deliveries but lets the channel live so in-flight handlers can still ack. */
  async cancel(): Promise<void> {
    this.closed = true;
    const { channel, consumerTag } = this;
    if (channel && consumerTag) await channel.cancel(consumerTag).catch(() => {});
  }

  /** Settles when the handlers in flight have finished (or `timeoutMs` passed). */
  async drain(timeoutMs: number): Promise<void> {
    if (this.inFlight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.allSettled([...this.inFlight]), timeout]);
    clearTimeout(timer);
  }

  /** Closes the channel; unacked messages go back to the queue. */
  async closeChannel(): Promise<void> {
    const channel = this.channel;
    this.channel = undefined;
    this.consumerTag = undefined;
    if (channel) await channel.close().catch(() => {});
  }

  private onMessage(channel: ConfirmChannel, message: ConsumeMessage | null): void {
    if (message === null) {
      // The broker cancelled the consumer (queue deleted or failed over): declare and consume again.
      this.logger.warn({ group: this.settings.group }, 'event bus: consumer cancelled by the broker');
      if (this.channel === channel) void this.closeChannel().then(() => !this.closed && this.recover(this));
      return;
    }
    const task = this.handle(channel, message).catch((error) =>
      this.logger.error({ err: error, group: this.settings.group }, 'event bus: could not settle a delivery'),
    );
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task));
  }

  private async handle(channel: ConfirmChannel, message: ConsumeMessage): Promise<void> {
    const headers = message.properties.headers as Record<string, unknown> | undefined;
    const attempt = attemptOf(headers);
    const decoded = decodeEvent(message.content.toString('utf8'));
    if (!decoded.ok) {
      this.logger.warn(
        { group: this.settings.group, error: decoded.error },
        'event bus: undecodable message',
      );
      await this.deadLetter(channel, message, decoded.error, attempt);
      return;
    }
    const { event } = decoded;
    try {
      const context = { attempt, redelivered: message.fields.redelivered };
      await runInEventContext(event, () => this.settings.handler(event, context));
    } catch (error) {
      if (this.channel !== channel) return; // channel gone: the broker redelivers, a late ack is impossible
      const { maxAttempts } = this.settings;
      const text = errorText(error);
      if (error instanceof PermanentError || attempt >= maxAttempts) {
        this.logger.warn(
          { group: this.settings.group, id: event.id, attempt, error: text },
          'event bus: dead letter',
        );
        await this.deadLetter(channel, message, text, attempt);
      } else {
        await this.retry(channel, message, attempt);
      }
      return;
    }
    ack(channel, message);
  }

  private async retry(channel: ConfirmChannel, message: ConsumeMessage, attempt: number): Promise<void> {
    const delayMs = retryDelayFor(this.settings, attempt);
    const headers = { ...carriedHeaders(message.properties.headers), [ATTEMPT_HEADER]: attempt + 1 };
    const options = republishOptions(message.properties, headers);
    await sendConfirmed(channel, this.queues.retry(delayMs), message.content, options);
    ack(channel, message);
  }

  private async deadLetter(
    channel: ConfirmChannel,
    message: ConsumeMessage,
    error: string,
    attempts: number,
  ) {
    const headers = {
      ...carriedHeaders(message.properties.headers),
      [DEAD_ERROR_HEADER]: error,
      [DEAD_ATTEMPTS_HEADER]: attempts,
      [DEAD_AT_HEADER]: new Date().toISOString(),
    };
    await sendConfirmed(
      channel,
      this.queues.dead,
      message.content,
      republishOptions(message.properties, headers),
    );
    ack(channel, message);
  }
}

/** Acks on the channel the message came from; a closed channel means the broker already requeued it. */
function ack(channel: ConfirmChannel, message: ConsumeMessage): void {
  try {
    channel.ack(message);
  } catch {
    // IllegalOperationError: channel closed. The message was requeued and will be redelivered.
  }
}
