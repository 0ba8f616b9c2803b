import type { EventHandler } from '@mathnet/bus';
import type { CloudEvent } from '@mathnet/contracts';
import type { Db, Tx } from './database';
import type { InboxTable } from './inbox-table';

/** Which consumer group handles which event. */
export interface InboxKey {
  group: string;
  /** The CloudEvent id (a UUID). */
  eventId: string;
}

/**
 * Runs `effect` at most once per (group, event id): in one transaction it records the event in
 * the inbox (`ON CONFLICT DO NOTHING`) and runs the effect only when the record is new. If the
 * effect throws, the inbox row rolls back with it, so a redelivery tries again. Resolves to
 * whether the effect ran (false: a duplicate).
 */
export async function consumeOnce(
  db: Db,
  inbox: InboxTable,
  key: InboxKey,
  effect: (tx: Tx) => Promise<void>,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(inbox)
      .values({ consumerGroup: key.group, eventId: key.eventId })
      .onConflictDoNothing()
      .returning({ eventId: inbox.eventId });
    if (inserted.length === 0) return false;
    await effect(tx);
    return true;
  });
}

export interface InboxHandlerOptions {
  db: Db;
  inbox: InboxTable;
  /** The consumer group; use the same value as in `bus.subscribe({ group })`. */
  group: string;
  /** The effect of one event, inside the transaction that records it in the inbox. */
  handle: (event: CloudEvent, tx: Tx) => Promise<void>;
}

/**
 * An idempotent bus handler: each event's effect runs through {@link consumeOnce}, so a
 * redelivered event is acknowledged without a second effect.
 *
 * ```ts
 * await bus.subscribe({ group, patterns, handler: inboxHandler({ db, inbox, group, handle }) });
 * ```
 */
export function inboxHandler(options: InboxHandlerOptions): EventHandler {
  const { db, inbox, group, handle } = options;
  return async (event) => {
    await consumeOnce(db, inbox, { group, eventId: event.id }, (tx) => handle(event, tx));
  };
}
