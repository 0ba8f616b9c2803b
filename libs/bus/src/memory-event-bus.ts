import { AsyncResource } from 'node:async_hooks';
import type { CloudEvent } from '@mathnet/contracts';
import type { Logger } from '@mathnet/kit';
import { assertRoutable } from './decode-event';
import {
  BusUnavailableError,
  type DeadLetter,
  type EventBus,
  type SubscribeOptions,
  type Subscription,
} from './event-bus';
import { MemoryConsumer, MemoryGroup } from './memory-group';
import { subscriptionSettings } from './subscription-settings';
import { withTraceContext } from './trace-context';

/** Options of the in-process bus. */
export interface MemoryEventBusOptions {
  logger: Logger;
  /** How long close() waits for handlers in flight before dropping them. Default 5000. */
  closeGraceMs?: number;
}

/**
 * The in-process event bus (`memory://`), for the standalone mode and embedded tests.
 * Same semantics as the RabbitMQ bus: asynchronous at-least-once delivery, one queue
 * per consumer group shared round-robin by its consumers, prefetch, retries with the
 * same backoff, dead letters with the error, replay, outage simulation. All state
 * lives in this instance; events do not survive the process.
 */
export class MemoryEventBus implements EventBus {
  readonly transport = 'memory' as const;
  private readonly groups = new Map<string, MemoryGroup>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** The async context deliveries start from, so handlers never inherit the publisher's (trace, request). */
  private readonly origin = new AsyncResource('mathnet.memory-bus');
  private readonly logger: Logger;
  private readonly closeGraceMs: number;
  private started = false;
  private closed = false;
  private downUntil = 0;

  constructor(options: MemoryEventBusOptions) {
    this.logger = options.logger;
    this.closeGraceMs = options.closeGraceMs ?? 5000;
  }

  async start(): Promise<void> {
    if (this.closed) throw new BusUnavailableError('memory bus: start() after close()');
    if (this.started) return;
    this.started = true;
    this.logger.info(
      { transport: 'memory' },
      'event bus: in-process memory bus (memory://); events live in this process only',
    );
  }

  async publish(events: CloudEvent[]): Promise<void> {
    this.assertAvailable('publish');
    for (const event of events) assertRoutable(event);
    for (const original of events) {
      const event = withTraceContext(original);
      // Serialised as the broker would carry it: handlers never share the publisher's objects.
      const body = JSON.stringify(event);
      for (const group of this.groups.values()) {
        if (group.matches(event.type))
          group.enqueue({ body, messageId: event.id, attempt: 1, redelivered: false });
      }
    }
    for (const group of this.groups.values()) group.dispatch();
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const settings = subscriptionSettings(options);
    this.assertAvailable(`subscribe(${settings.group})`);
    const group = this.group(settings.group);
    group.bind(settings.patterns);
    const consumer = new MemoryConsumer(settings);
    group.addConsumer(consumer);
    group.dispatch();
    return {
      close: async () => {
        if (!consumer.open) return;
        group.removeConsumer(consumer);
        group.dispatch();
      },
    };
  }

  async deadLetters(group: string, limit = Number.POSITIVE_INFINITY): Promise<DeadLetter[]> {
    return this.groups.get(group)?.deadLetters(limit) ?? [];
  }

  async replayDeadLetters(group: string): Promise<number> {
    const found = this.groups.get(group);
    if (!found) return 0;
    const count = found.replayDeadLetters();
    found.dispatch();
    if (count > 0) this.logger.info({ group, count }, 'event bus: replayed dead letters');
    return count;
  }

  async ping(): Promise<void> {
    this.assertAvailable('ping');
  }

  async interruptConnection(downForMs: number): Promise<void> {
    this.assertAvailable('interruptConnection');
    this.downUntil = Date.now() + downForMs;
    this.logger.warn({ downForMs }, 'event bus: memory bus interrupted (simulated outage)');
    for (const group of this.groups.values()) group.requeueAllInFlight();
    this.setTimer(downForMs, () => {
      this.downUntil = 0;
      this.logger.info('event bus: memory bus resumed after simulated outage');
      for (const group of this.groups.values()) group.dispatch();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const inFlight = [...this.groups.values()].flatMap((g) => g.inFlight());
    if (inFlight.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.closeGraceMs);
      });
      await Promise.race([Promise.allSettled(inFlight), grace]);
      clearTimeout(timer);
    }
    this.groups.clear();
  }

  private group(name: string): MemoryGroup {
    let group = this.groups.get(name);
    if (!group) {
      group = new MemoryGroup(name, {
        deliverable: () => this.started && !this.closed && !this.isDown(),
        setTimer: (delayMs, fn) => this.setTimer(delayMs, fn),
        detached: (fn) => this.origin.runInAsyncScope(fn),
        onInternalError: (error, groupName) =>
          this.logger.error({ err: error, group: groupName }, 'event bus: memory delivery failed'),
      });
      this.groups.set(name, group);
    }
    return group;
  }

  private isDown(): boolean {
    return this.downUntil > 0;
  }

  private assertAvailable(operation: string): void {
    if (this.closed) throw new BusUnavailableError(`memory bus: ${operation} after close()`);
    if (!this.started) throw new BusUnavailableError(`memory bus: ${operation} before start()`);
    if (this.isDown()) {
      const left = Math.max(0, this.downUntil - Date.now());
      throw new BusUnavailableError(`memory bus: ${operation} during a simulated outage (${left} ms left)`);
    }
  }

  private setTimer(delayMs: number, fn: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, delayMs);
    this.timers.add(timer);
  }
}
