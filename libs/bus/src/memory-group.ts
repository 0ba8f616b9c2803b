import { deadLetterEvent, decodeEvent } from './decode-event';
import type { DeadLetter } from './event-bus';
import { PermanentError } from './event-bus';
import { errorText, retryDelayFor, type SubscriptionSettings } from './subscription-settings';
import { compileTopicPattern } from './topic-pattern';
import { runInEventContext } from './trace-context';

/** A message in a group's queue: the JSON body as the broker would hold it, plus delivery metadata. */
export interface QueuedMessage {
  body: string;
  messageId: string | undefined;
  attempt: number;
  redelivered: boolean;
}

interface StoredDeadLetter {
  message: QueuedMessage;
  error: string;
  attempts: number;
  deadAt: string;
}

/** What a group needs from the bus that owns it. */
export interface MemoryGroupHost {
  /** False while the bus is not started, interrupted or closed: nothing is delivered then. */
  deliverable(): boolean;
  /** A timer the bus clears on close. */
  setTimer(delayMs: number, fn: () => void): void;
  /** Runs `fn` in the bus's own async context, not the publisher's (as a broker delivery would). */
  detached(fn: () => void): void;
  /** Reports a handler outcome that the bus could not act on (never swallowed silently). */
  onInternalError(error: unknown, group: string): void;
}

/** One consumer of a group: an open subscription with its own prefetch window. */
export class MemoryConsumer {
  readonly inFlight = new Set<MemoryDelivery>();
  open = true;
  constructor(readonly settings: SubscriptionSettings) {}
}

interface MemoryDelivery {
  message: QueuedMessage;
  consumer: MemoryConsumer;
  /** Set when the delivery was put back (subscription closed, outage): its later outcome is ignored. */
  revoked: boolean;
  done: Promise<void>;
}

/**
 * A consumer group's queue in the in-process bus: the counterpart of the durable
 * group queue, its retry queues and its `.dead` queue on RabbitMQ. Bindings (patterns)
 * outlive subscriptions, as queue bindings do, so events keep queueing for a group
 * whose consumers are momentarily gone.
 */
export class MemoryGroup {
  private readonly bindings = new Map<string, (type: string) => boolean>();
  private readonly ready: QueuedMessage[] = [];
  private readonly dead: StoredDeadLetter[] = [];
  private consumers: MemoryConsumer[] = [];
  private nextConsumer = 0;

  constructor(
    readonly name: string,
    private readonly host: MemoryGroupHost,
  ) {}

  bind(patterns: string[]): void {
    for (const pattern of patterns) {
      if (!this.bindings.has(pattern)) this.bindings.set(pattern, compileTopicPattern(pattern));
    }
  }

  matches(type: string): boolean {
    for (const match of this.bindings.values()) if (match(type)) return true;
    return false;
  }

  enqueue(message: QueuedMessage): void {
    this.ready.push(message);
  }

  addConsumer(consumer: MemoryConsumer): void {
    this.consumers.push(consumer);
  }

  /** Removes a consumer; its unsettled deliveries go back to the head of the queue, marked redelivered. */
  removeConsumer(consumer: MemoryConsumer): void {
    consumer.open = false;
    this.consumers = this.consumers.filter((c) => c !== consumer);
    this.requeueInFlight(consumer);
  }

  /** Puts every unsettled delivery back at the head of the queue in delivery order (an outage does this). */
  requeueAllInFlight(): void {
    for (const consumer of this.consumers) this.requeueInFlight(consumer);
  }

  /** Promises of the deliveries still being handled by open consumers. */
  inFlight(): Promise<void>[] {
    return this.consumers.flatMap((c) => [...c.inFlight].map((d) => d.done));
  }

  deadLetters(limit: number): DeadLetter[] {
    return this.dead.slice(0, limit).map((d) => ({
      event: deadLetterEvent(d.message.body, d.message.messageId, d.deadAt),
      error: d.error,
      attempts: d.attempts,
      deadAt: d.deadAt,
    }));
  }

  replayDeadLetters(): number {
    const replayed = this.dead.splice(0, this.dead.length);
    for (const d of replayed) this.ready.push({ ...d.message, attempt: 1, redelivered: false });
    return replayed.length;
  }

  /** Hands ready messages to consumers with room in their prefetch window, round-robin. */
  dispatch(): void {
    while (this.ready.length > 0 && this.host.deliverable()) {
      const consumer = this.pickConsumer();
      if (!consumer) return;
      this.deliver(consumer, this.ready.shift()!);
    }
  }

  private pickConsumer(): MemoryConsumer | undefined {
    // A single-active-consumer group feeds only its oldest open consumer, as RabbitMQ does.
    const oldest = this.consumers.find((c) => c.open);
    if (oldest?.settings.singleActiveConsumer)
      return oldest.inFlight.size < oldest.settings.prefetch ? oldest : undefined;
    const count = this.consumers.length;
    for (let i = 0; i < count; i++) {
      const index = (this.nextConsumer + i) % count;
      const consumer = this.consumers[index]!;
      if (consumer.open && consumer.inFlight.size < consumer.settings.prefetch) {
        this.nextConsumer = (index + 1) % count;
        return consumer;
      }
    }
    return undefined;
  }

  private requeueInFlight(consumer: MemoryConsumer): void {
    const deliveries = [...consumer.inFlight];
    consumer.inFlight.clear();
    for (const delivery of deliveries.reverse()) {
      delivery.revoked = true;
      this.ready.unshift({ ...delivery.message, redelivered: true });
    }
  }

  private deliver(consumer: MemoryConsumer, message: QueuedMessage): void {
    const delivery: MemoryDelivery = { message, consumer, revoked: false, done: Promise.resolve() };
    consumer.inFlight.add(delivery);
    // A macrotask, as a network delivery would be: the publisher's code runs on before any handler.
    // Chained inside `detached` because a promise continuation keeps the context it was attached in.
    this.host.detached(() => {
      delivery.done = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => this.handle(delivery))
        .catch((error) => this.host.onInternalError(error, this.name));
    });
  }

  private async handle(delivery: MemoryDelivery): Promise<void> {
    // Put back before it started (outage), or the bus closed meanwhile: the handler never sees it.
    if (delivery.revoked || !this.host.deliverable()) return;
    const { message, consumer } = delivery;
    const decoded = decodeEvent(message.body);
    let failure: { error: unknown } | undefined;
    if (decoded.ok) {
      try {
        const context = { attempt: message.attempt, redelivered: message.redelivered };
        await runInEventContext(decoded.event, () => consumer.settings.handler(decoded.event, context));
      } catch (error) {
        failure = { error };
      }
    }
    // Put back while the handler ran (subscription closed, outage): this outcome is the "late ack", ignored.
    if (delivery.revoked) return;
    consumer.inFlight.delete(delivery);
    if (!decoded.ok) {
      this.park(message, decoded.error, message.attempt);
    } else if (failure) {
      const { error } = failure;
      if (error instanceof PermanentError || message.attempt >= consumer.settings.maxAttempts) {
        this.park(message, errorText(error), message.attempt);
      } else {
        const retry = { ...message, attempt: message.attempt + 1, redelivered: false };
        this.host.setTimer(retryDelayFor(consumer.settings, message.attempt), () => {
          this.ready.push(retry);
          this.dispatch();
        });
      }
    }
    this.dispatch();
  }

  private park(message: QueuedMessage, error: string, attempts: number): void {
    this.dead.push({ message, error, attempts, deadAt: new Date().toISOString() });
  }
}
