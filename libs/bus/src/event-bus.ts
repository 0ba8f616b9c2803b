import type { CloudEvent } from '@mathnet/contracts';

/** What a handler learns about the delivery it is handling. */
export interface DeliveryContext {
  /** 1 on first delivery, 2 on the first retry, ... */
  attempt: number;
  /** True when the broker delivered this message before (e.g. a consumer died before acking it). */
  redelivered: boolean;
}

/** Handles one event. Resolve to ack; throw to retry (or dead-letter, see {@link PermanentError}). */
export type EventHandler = (event: CloudEvent, context: DeliveryContext) => Promise<void>;

export interface SubscribeOptions {
  /** Consumer group, also the queue name: `<service>.<purpose>`, e.g. `courses.registry-read-model`. */
  group: string;
  /** Routing patterns in AMQP topic syntax over the event type: `mathnet.registry.#`, `mathnet.*.person.updated`. */
  patterns: string[];
  handler: EventHandler;
  /** Unacked deliveries in flight per consumer (AMQP prefetch). Default 16. */
  prefetch?: number;
  /** Deliveries before a failing event is dead-lettered. Default 5. */
  maxAttempts?: number;
  /** Delay before retry n (1-based), last value repeats. Default [1000, 5000, 30000, 120000]. */
  retryDelaysMs?: number[];
  /**
   * Only one consumer of the group gets deliveries at a time; the others stand by and the
   * oldest takes over when it goes (RabbitMQ's single active consumer). For a group whose
   * order matters across replicas. It is a property of the group's queue: every consumer of
   * the group must ask the same, and a queue declared without it must be deleted (empty) to
   * change it. Default false.
   */
  singleActiveConsumer?: boolean;
}

export interface Subscription {
  /** Stops consuming; deliveries not yet acked go back to the queue and are redelivered. */
  close(): Promise<void>;
}

/** An event parked in `<group>.dead` after its retry budget, with the last error. */
export interface DeadLetter {
  /**
   * The parked event. For a message whose body was not a CloudEvent, a stand-in of
   * type `mathnet.bus.undecodable` (id = the message id) with the raw body in `data.body`.
   */
  event: CloudEvent;
  error: string;
  attempts: number;
  deadAt: string;
}

/**
 * The network's event bus. Two transports with the same semantics, picked by URL
 * scheme in {@link createEventBus}: `amqp://` (RabbitMQ) and `memory://` (in process).
 * Delivery is at least once: consumers must be idempotent (see the inbox in `@mathnet/db`).
 */
export interface EventBus {
  readonly transport: 'amqp' | 'memory';
  /** Connects and declares the topology. */
  start(): Promise<void>;
  /** Publishes; resolves once the broker confirmed every event (rejects if any was not). */
  publish(events: CloudEvent[]): Promise<void>;
  /** Starts consuming for a group (declares its queue, bindings, retry and dead-letter queues). */
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Events parked in `<group>.dead`, oldest first (reads without removing). */
  deadLetters(group: string, limit?: number): Promise<DeadLetter[]>;
  /** Moves every dead letter of the group back to its queue; returns how many. */
  replayDeadLetters(group: string): Promise<number>;
  /** Resolves when connected; rejects when not (readiness check). */
  ping(): Promise<void>;
  /**
   * Fault injection for tests and drills: drops the connection as a network failure
   * would, and keeps it down for `downForMs` before the normal reconnect runs.
   */
  interruptConnection(downForMs: number): Promise<void>;
  close(): Promise<void>;
}

/** Thrown by a handler for an event that can never succeed: dead-lettered at once, no retries. */
export class PermanentError extends Error {
  override name = 'PermanentError';
}

/** Thrown by publish when the transport is not connected. */
export class BusUnavailableError extends Error {
  override name = 'BusUnavailableError';
}
