import type { CloudEvent } from '@mathnet/contracts';
import type { Logger } from '@mathnet/kit';
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import { publishConfirmed } from './amqp-confirm';
import { AmqpConnection } from './amqp-connection';
import { readDeadLetters, replayDeadLetters } from './amqp-dead-letters';
import { AmqpSubscription } from './amqp-subscription';
import { CLOUDEVENTS_CONTENT_TYPE, declareExchange, groupQueues } from './amqp-topology';
import { assertRoutable } from './decode-event';
import {
  BusUnavailableError,
  type DeadLetter,
  type EventBus,
  type SubscribeOptions,
  type Subscription,
} from './event-bus';
import { subscriptionSettings } from './subscription-settings';
import { withTraceContext } from './trace-context';

/** Options of the RabbitMQ bus. */
export interface AmqpEventBusOptions {
  logger: Logger;
  /** Topic exchange of all events. */
  exchange: string;
  /** Prepended to every queue name (test isolation). */
  queuePrefix: string;
  /**
   * The broker deletes a group's queues once unused (no consumer, not declared again) this
   * long. For tests, whose queues would otherwise pile up on a shared broker; never in
   * production, where a queue must keep events while its service is down.
   */
  queueExpiresMs?: number;
  /** How long close() waits for handlers in flight. Default 5000. */
  closeGraceMs?: number;
}

/** Delay before a consumer whose channel closed (connection still up) declares and consumes again. */
const CHANNEL_RECOVERY_MS = 1000;

/**
 * The event bus on RabbitMQ (`amqp://`, `amqps://`): one connection that reconnects
 * by itself, one confirm channel for publishing (persistent, pipelined confirms), and
 * per subscription a channel consuming the group's durable quorum queue, with TTL
 * retry queues and a `.dead` queue. Layout: docs in ARCHITECTURE.md, "Messaging".
 */
export class AmqpEventBus implements EventBus {
  readonly transport = 'amqp' as const;
  private readonly connection: AmqpConnection;
  private readonly subscriptions = new Set<AmqpSubscription>();
  private readonly recoveryTimers = new Set<NodeJS.Timeout>();
  private publishChannel: ConfirmChannel | undefined;
  private openingPublishChannel: Promise<ConfirmChannel> | undefined;
  private readonly logger: Logger;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly options: AmqpEventBusOptions,
  ) {
    this.logger = options.logger;
    this.connection = new AmqpConnection(url, options.logger, (model) => this.setUp(model));
  }

  async start(): Promise<void> {
    if (this.closed) throw new BusUnavailableError('amqp bus: start() after close()');
    if (this.connection.current) return;
    await this.connection.start();
    this.logger.info(
      { transport: 'amqp', broker: redactUrl(this.url), exchange: this.options.exchange },
      `event bus: RabbitMQ at ${redactUrl(this.url)}, exchange ${this.options.exchange}`,
    );
  }

  async publish(events: CloudEvent[]): Promise<void> {
    for (const event of events) assertRoutable(event);
    const channel = await this.publishingChannel();
    const { exchange } = this.options;
    const confirms = events.map((original) => {
      const event = withTraceContext(original);
      return publishConfirmed(channel, exchange, event.type, Buffer.from(JSON.stringify(event)), {
        persistent: true,
        contentType: CLOUDEVENTS_CONTENT_TYPE,
        messageId: event.id,
        type: event.type,
        timestamp: Math.floor(Date.now() / 1000),
      });
    });
    const results = await Promise.allSettled(confirms);
    const failed = results.filter((r) => r.status === 'rejected');
    if (failed.length === 0) return;
    const reason = (failed[0] as PromiseRejectedResult).reason as Error;
    const detail = `${failed.length} of ${events.length} events not confirmed (${reason?.message ?? reason})`;
    if (!this.connection.ready) throw new BusUnavailableError(`amqp bus: connection lost: ${detail}`);
    throw new Error(`amqp bus: ${detail}`);
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const settings = subscriptionSettings(options);
    const model = this.connection.current;
    if (this.closed || !model || !this.connection.ready) {
      throw new BusUnavailableError(`amqp bus: subscribe(${settings.group}) while not connected`);
    }
    const queues = groupQueues(this.options.queuePrefix, settings.group, this.options.queueExpiresMs);
    const subscription = new AmqpSubscription(settings, this.options.exchange, queues, this.logger, (s) =>
      this.recoverLater(s),
    );
    this.subscriptions.add(subscription);
    try {
      await subscription.start(model);
    } catch (error) {
      // Lost the connection meanwhile: keep it, the reconnect starts it. Anything else is the caller's problem.
      if (this.connection.current === model) {
        this.subscriptions.delete(subscription);
        await subscription.close();
        throw error;
      }
    }
    return {
      close: async () => {
        this.subscriptions.delete(subscription);
        await subscription.close();
      },
    };
  }

  async deadLetters(group: string, limit = Number.POSITIVE_INFINITY): Promise<DeadLetter[]> {
    return readDeadLetters(this.model('deadLetters'), groupQueues(this.options.queuePrefix, group), limit);
  }

  async replayDeadLetters(group: string): Promise<number> {
    const count = await replayDeadLetters(
      this.model('replayDeadLetters'),
      groupQueues(this.options.queuePrefix, group),
    );
    if (count > 0) this.logger.info({ group, count }, 'event bus: replayed dead letters');
    return count;
  }

  async ping(): Promise<void> {
    this.model('ping');
  }

  async interruptConnection(downForMs: number): Promise<void> {
    this.model('interruptConnection');
    await this.connection.interrupt(downForMs);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.recoveryTimers) clearTimeout(timer);
    const subscriptions = [...this.subscriptions];
    this.subscriptions.clear();
    await Promise.all(subscriptions.map((s) => s.cancel()));
    await Promise.all(subscriptions.map((s) => s.drain(this.options.closeGraceMs ?? 5000)));
    await Promise.all(subscriptions.map((s) => s.closeChannel()));
    const channel = this.publishChannel;
    this.publishChannel = undefined;
    if (channel) await channel.close().catch(() => {});
    await this.connection.close();
  }

  /** After every (re)connect: exchange, publishing channel, then every open subscription. */
  private async setUp(model: ChannelModel): Promise<void> {
    const channel = await this.openPublishChannel(model);
    // A test bus (queues that expire) leaves no exchange behind either.
    await declareExchange(channel, this.options.exchange, this.options.queueExpiresMs !== undefined);
    for (const subscription of this.subscriptions) {
      try {
        await subscription.start(model);
      } catch (error) {
        if (this.connection.current !== model) throw error; // connection gone again: reconnect anew
        // A channel-level refusal (e.g. a queue declared with other arguments) must not block the others.
        this.logger.error({ err: error }, 'event bus: could not restart a consumer; retrying');
        this.recoverLater(subscription);
      }
    }
  }

  private async openPublishChannel(model: ChannelModel): Promise<ConfirmChannel> {
    const channel = await model.createConfirmChannel();
    channel.on('error', (error: Error) =>
      this.logger.warn({ err: error }, 'event bus: publish channel error'),
    );
    channel.on('close', () => {
      if (this.publishChannel === channel) this.publishChannel = undefined;
    });
    this.publishChannel = channel;
    return channel;
  }

  private async publishingChannel(): Promise<ConfirmChannel> {
    const model = this.model('publish');
    if (this.publishChannel) return this.publishChannel;
    // Closed by a channel-level error while the connection lives: open another one (once for all callers).
    this.openingPublishChannel ??= this.openPublishChannel(model).finally(() => {
      this.openingPublishChannel = undefined;
    });
    return this.openingPublishChannel;
  }

  /** The live, set-up connection, or a BusUnavailableError naming the operation. */
  private model(operation: string): ChannelModel {
    const model = this.connection.current;
    if (this.closed) throw new BusUnavailableError(`amqp bus: ${operation} after close()`);
    if (!model || !this.connection.ready)
      throw new BusUnavailableError(`amqp bus: ${operation} while not connected`);
    return model;
  }

  private recoverLater(subscription: AmqpSubscription): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.recoveryTimers.delete(timer);
      const model = this.connection.current;
      // Not connected: the reconnect restarts every subscription anyway.
      if (this.closed || subscription.isClosed || !model || !this.connection.ready) return;
      subscription.start(model).catch((error) => {
        this.logger.warn({ err: error }, 'event bus: consumer recovery failed; retrying');
        this.recoverLater(subscription);
      });
    }, CHANNEL_RECOVERY_MS);
    this.recoveryTimers.add(timer);
  }
}

/** The broker URL without credentials, for logs. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '(unparsable url)';
  }
}
