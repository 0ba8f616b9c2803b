import type { CloudEvent } from '@mathnet/contracts';
import type { DeliveryContext, EventBus, EventHandler, SubscribeOptions, Subscription } from './event-bus';

/** One delivery seen by an {@link EventRecorder}. */
export interface RecordedDelivery {
  event: CloudEvent;
  context: DeliveryContext;
}

/** Collects the events a group receives, so tests and drills await events instead of sleeping. */
export interface EventRecorder {
  /** Every event delivered so far, in delivery order (redeliveries included). */
  readonly events: CloudEvent[];
  /** The same, with each delivery's attempt and redelivered flag. */
  readonly deliveries: RecordedDelivery[];
  /** Resolves with the first recorded event matching `predicate`, already seen or yet to come. */
  waitFor(predicate: (event: CloudEvent) => boolean, timeoutMs?: number): Promise<CloudEvent>;
  /** Resolves with the first `count` matching events once that many were recorded. */
  waitForCount(
    predicate: (event: CloudEvent) => boolean,
    count: number,
    timeoutMs?: number,
  ): Promise<CloudEvent[]>;
  /** Closes the subscription and rejects pending waits. */
  close(): Promise<void>;
}

/** Subscription options of a recorder; `handler`, if given, runs first (a throw is a failed delivery, not recorded). */
export type RecordEventsOptions = Omit<SubscribeOptions, 'handler'> & { handler?: EventHandler };

interface Waiter {
  predicate: (event: CloudEvent) => boolean;
  count: number;
  resolve(events: CloudEvent[]): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** Subscribes `group` to `patterns` and records what arrives. */
export async function recordEvents(bus: EventBus, options: RecordEventsOptions): Promise<EventRecorder> {
  const events: CloudEvent[] = [];
  const deliveries: RecordedDelivery[] = [];
  const waiters = new Set<Waiter>();
  const matching = (predicate: (event: CloudEvent) => boolean) => events.filter((e) => predicate(e));

  const settle = () => {
    for (const waiter of waiters) {
      const found = matching(waiter.predicate);
      if (found.length >= waiter.count) {
        waiters.delete(waiter);
        clearTimeout(waiter.timer);
        waiter.resolve(found.slice(0, waiter.count));
      }
    }
  };

  const { handler, ...subscribeOptions } = options;
  const subscription: Subscription = await bus.subscribe({
    ...subscribeOptions,
    handler: async (event, context) => {
      if (handler) await handler(event, context);
      events.push(event);
      deliveries.push({ event, context });
      settle();
    },
  });

  const seen = () => {
    const shown = events.slice(-20).map((e) => `${e.type} ${e.id}`);
    const more = events.length > shown.length ? ` (last ${shown.length} shown)` : '';
    return `${events.length} recorded${more}: ${shown.length ? shown.join(', ') : 'none'}`;
  };

  const waitForCount = (predicate: (event: CloudEvent) => boolean, count: number, timeoutMs = 5000) =>
    new Promise<CloudEvent[]>((resolve, reject) => {
      const found = matching(predicate);
      if (found.length >= count) return resolve(found.slice(0, count));
      const waiter: Waiter = {
        predicate,
        count,
        resolve,
        reject,
        timer: setTimeout(() => {
          waiters.delete(waiter);
          const got = matching(predicate).length;
          reject(
            new Error(
              `recorder(${options.group}): waited ${timeoutMs} ms for ${count} matching events, got ${got}; ${seen()}`,
            ),
          );
        }, timeoutMs),
      };
      waiters.add(waiter);
    });

  return {
    events,
    deliveries,
    waitForCount,
    waitFor: async (predicate, timeoutMs = 5000) => (await waitForCount(predicate, 1, timeoutMs))[0]!,
    close: async () => {
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error(`recorder(${options.group}) closed while waiting; ${seen()}`));
      }
      waiters.clear();
      await subscription.close();
    },
  };
}
