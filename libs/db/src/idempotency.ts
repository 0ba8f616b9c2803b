import { ConflictError, InputError } from '@mathnet/kit';
import { and, eq } from 'drizzle-orm';
import { jsonb, type PgSchema, primaryKey, smallint, text, timestamp } from 'drizzle-orm/pg-core';
import type { Db } from './database';

/** The table that keeps answers to creating POSTs by Idempotency-Key; include it in the service's schema. */
export function defineIdempotencyTable(schema: PgSchema) {
  return schema.table(
    'idempotency_keys',
    {
      actor: text('actor').notNull(),
      key: text('key').notNull(),
      route: text('route').notNull(),
      status: smallint('status').notNull(),
      body: jsonb('body').notNull(),
      createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    },
    (t) => [primaryKey({ columns: [t.actor, t.key] })],
  );
}

export type IdempotencyTable = ReturnType<typeof defineIdempotencyTable>;

/** An answer a creating POST gives, kept for replays. */
export interface KeptAnswer<T> {
  status: number;
  body: T;
}

/**
 * Creating POSTs accept `Idempotency-Key`: the first answer for (actor, key) is
 * kept, and a retry with the same key gets it again instead of creating twice.
 * The same key on another route is a 409.
 */
export async function idempotent<T>(
  db: Db,
  table: IdempotencyTable,
  request: { key: string | undefined; route: string; actorId: string },
  create: () => Promise<KeptAnswer<T>>,
): Promise<KeptAnswer<T>> {
  const { key, route, actorId } = request;
  if (key === undefined) return create();
  if (!/^[\w.:-]{1,200}$/.test(key))
    throw new InputError('Idempotency-Key: expected 1-200 letters, digits, or . _ : -');
  const [previous] = await db
    .select()
    .from(table)
    .where(and(eq(table.actor, actorId), eq(table.key, key)));
  if (previous) {
    if (previous.route !== route)
      throw new ConflictError(`Idempotency-Key ${key} was already used for ${previous.route}`);
    return { status: previous.status, body: previous.body as T };
  }
  const answer = await create();
  await db
    .insert(table)
    .values({ actor: actorId, key, route, status: answer.status, body: answer.body as object })
    .onConflictDoNothing();
  return answer;
}
