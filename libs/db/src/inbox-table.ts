import { type PgSchema, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * The inbox of a service: which events each of its consumer groups already handled, written
 * in the transaction of the effect (see {@link consumeOnce}) so a redelivered event has no
 * second effect. Include the result in the service's drizzle schema file (exported), like
 * the outbox.
 */
export function defineInboxTable(schema: PgSchema) {
  return schema.table(
    'inbox',
    {
      eventId: uuid('event_id').notNull(),
      consumerGroup: text('consumer_group').notNull(),
      processedAt: timestamp('processed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    },
    (table) => [primaryKey({ name: 'inbox_pk', columns: [table.consumerGroup, table.eventId] })],
  );
}

/** The drizzle table type of an inbox made by {@link defineInboxTable}. */
export type InboxTable = ReturnType<typeof defineInboxTable>;
