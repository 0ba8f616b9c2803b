import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, type PgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * The transactional outbox of a service, in its own schema: one row per event, written in
 * the transaction of the state change, published and marked sent by the {@link OutboxRelay}.
 * Include the result in the service's drizzle schema file (exported) so drizzle-kit puts the
 * table into the service's migrations:
 *
 * ```ts
 * const courses = pgSchema('courses'); // not exported: runMigrations creates the schema
 * export const outbox = defineOutboxTable(courses);
 * ```
 */
export function defineOutboxTable(schema: PgSchema) {
  return schema.table(
    'outbox',
    {
      /** Publication order. */
      seq: bigserial('seq', { mode: 'number' }).primaryKey(),
      /** The CloudEvent id (UUIDv7). */
      id: uuid('id').notNull().unique(),
      type: text('type').notNull(),
      source: text('source').notNull(),
      subject: text('subject'),
      time: timestamp('time', { withTimezone: true, mode: 'date' }).notNull(),
      data: jsonb('data').$type<unknown>().notNull(),
      traceparent: text('traceparent'),
      createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
      sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }),
      /** Failed publish attempts so far (the last error in `last_error`). */
      attempts: integer('attempts').notNull().default(0),
      lastError: text('last_error'),
    },
    // What the relay scans: unsent rows by seq; stays small because sent rows leave it.
    (table) => [index('outbox_unsent_idx').on(table.seq).where(sql`sent_at is null`)],
  );
}

/** The drizzle table type of an outbox made by {@link defineOutboxTable}. */
export type OutboxTable = ReturnType<typeof defineOutboxTable>;
