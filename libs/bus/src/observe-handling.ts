import type { EventBus } from './event-bus';

/*
 * For tests of a service's consumers (like `recordEvents`, exported for them): the bus with
 * every subscribed handler's completion observable.
 */

/** How one handling of an event by a consumer group ended: resolved (ok) or threw `error`. */
export interface HandlingOutcome {
  ok: boolean;
  error?: unknown;
}

/** Resolves with the outcomes once `group` handled the event `times` times; rejects after `timeoutMs`. */
export type Handled = (
  group: string,
  eventId: string,
  times?: number,
  timeoutMs?: number,
) => Promise<HandlingOutcome[]>;

/**
 * The bus with every subscribed handler's completion observable, so a test awaits "the
 * service handled this event" even when handling emits nothing (a no-op or a duplicate).
 */
export function observeHandling(bus: EventBus): { bus: EventBus; handled: Handled } {
  const outcomes = new Map<string, HandlingOutcome[]>();
  const waiters = new Set<() => void>();
  const observed: EventBus = {
    transport: bus.transport,
    start: () => bus.start(),
    publish: (events) => bus.publish(events),
    subscribe: (options) =>
      bus.subscribe({
        ...options,
        handler: async (event, context) => {
          const record = (outcome: HandlingOutcome) => {
            const key = `${options.group}|${event.id}`;
            outcomes.set(key, [...(outcomes.get(key) ?? []), outcome]);
            for (const wake of [...waiters]) wake();
          };
          try {
            await options.handler(event, context);
            record({ ok: true });
          } catch (error) {
            record({ ok: false, error });
            throw error;
          }
        },
      }),
    deadLetters: (group, limit) => bus.deadLetters(group, limit),
    replayDeadLetters: (group) => bus.replayDeadLetters(group),
    ping: () => bus.ping(),
    interruptConnection: (downForMs) => bus.interruptConnection(downForMs),
    close: () => bus.close(),
  };
  const handled: Handled = (group, eventId, times = 1, timeoutMs = 15_000) =>
    new Promise((resolve, reject) => {
      const key = `${group}|${eventId}`;
      const check = () => {
        const seen = outcomes.get(key) ?? [];
        if (seen.length < times) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(seen.slice(0, times));
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(
          new Error(`${group} handled ${eventId} ${outcomes.get(key)?.length ?? 0} times, not ${times}`),
        );
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return { bus: observed, handled };
}
