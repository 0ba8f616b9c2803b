import { ConflictError, InputError } from '@mathnet/kit';
import { and, eq, lt, sql } from 'drizzle-orm';
import { jsonb, type PgSchema, primaryKey, smallint, text, timestamp } from 'drizzle-orm/pg-core';
import type { Db, Tx } from './database';

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
 * Stores the answer with the key inside the creating transaction and returns it: what was
 * created and the answer a retry gets then commit together, or neither does.
 */
export type KeepAnswer = <U>(tx: Tx, answer: KeptAnswer<U>) => Promise<KeptAnswer<U>>;

/** `status` of a key whose first request is still being answered. */
const inProgress = 0;

/**
 * Creating POSTs accept `Idempotency-Key`: the first answer for (actor, key) is
 * kept, and a retry with the same key gets it again instead of creating twice.
 * The same key on another route is a 409. The key is claimed before the work
 * starts (a row with status 0), so two requests with the same key at the same
 * time never both create: the second gets 409 until the first has answered
 * (as draft-ietf-httpapi-idempotency-key-header says). A claim whose request
 * failed is released; one left by a process that died is taken over after
 * `staleAfterMs`.
 *
 * `create` should end its transaction with `return keep(tx, answer)`: the answer is then
 * stored in the transaction that creates, so a process dying right after that commit
 * leaves the answer for the retry, not a claim that the retry would take over and create
 * again. An answer not kept that way is stored after `create` returns.
 */
export async function idempotent<T>(
  db: Db,
  table: IdempotencyTable,
  request: { key: string | undefined; route: string; actorId: string },
  create: (keep: KeepAnswer) => Promise<KeptAnswer<T>>,
  staleAfterMs = 60_000,
): Promise<KeptAnswer<T>> {
  const { key, route, actorId } = request;
  if (key === undefined) return create(async (_tx, answer) => answer);
  if (!/^[\w.:-]{1,200}$/.test(key))
    throw new InputError('Idempotency-Key: expected 1-200 letters, digits, or . _ : -');
  const thisKey = and(eq(table.actor, actorId), eq(table.key, key));
  const claimed = await db
    .insert(table)
    .values({ actor: actorId, key, route, status: inProgress, body: {} })
    .onConflictDoNothing()
    .returning({ key: table.key });
  if (claimed.length === 0) {
    const [previous] = await db.select().from(table).where(thisKey);
    if (!previous) throw new ConflictError(`Idempotency-Key ${key} is being released; retry the request`);
    if (previous.route !== route)
      throw new ConflictError(`Idempotency-Key ${key} was already used for ${previous.route}`);
    if (previous.status !== inProgress) return { status: previous.status, body: previous.body as T };
    // Only one retry takes a dead request's claim over: the update is conditional on its age.
    const takenOver = await db
      .update(table)
      .set({ createdAt: sql`now()` })
      .where(
        and(
          thisKey,
          eq(table.status, inProgress),
          lt(table.createdAt, sql`now() - make_interval(secs => ${staleAfterMs / 1000})`),
        ),
      )
      .returning({ key: table.key });
    if (takenOver.length === 0)
      throw new ConflictError(
        `A request with Idempotency-Key ${key} is still being processed; retry it when that one has answered`,
      );
  }
  const store = <U>(runner: Db | Tx, answer: KeptAnswer<U>) =>
    runner
      .update(table)
      .set({ status: answer.status, body: answer.body as object })
      .where(thisKey);
  let kept = false;
  let answer: KeptAnswer<T>;
  try {
    answer = await create(async (tx, given) => {
      await store(tx, given);
      kept = true;
      return given;
    });
  } catch (error) {
    // Only a claim still in progress is released: an answer kept by a committed transaction stays.
    await db.delete(table).where(and(thisKey, eq(table.status, inProgress)));
    throw error;
  }
  if (!kept) await store(db, answer);
  return answer;
}
