import type { Db } from '@mathnet/db';
import { ConflictError, InputError } from '@mathnet/kit';
import { and, eq } from 'drizzle-orm';
import type { Request } from 'express';
import { idempotencyKeys } from '../store/schema';

export interface CreatedAnswer<T> {
  status: number;
  body: T;
}

/**
 * Creating POSTs accept `Idempotency-Key`: the first answer for (actor, key) is
 * kept, and a retry with the same key gets it again instead of creating twice.
 */
export async function idempotent<T>(
  db: Db,
  req: Request,
  actorId: string,
  create: () => Promise<CreatedAnswer<T>>,
): Promise<CreatedAnswer<T>> {
  const key = req.get('idempotency-key');
  if (key === undefined) return create();
  if (!/^[\w.:-]{1,200}$/.test(key)) throw new InputError('Idempotency-Key: expected 1-200 letters, digits, or . _ : -');
  const route = `${req.method} ${req.baseUrl}${req.path}`;
  const [previous] = await db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.actor, actorId), eq(idempotencyKeys.key, key)));
  if (previous) {
    if (previous.route !== route) throw new ConflictError(`Idempotency-Key ${key} was already used for ${previous.route}`);
    return { status: previous.status, body: previous.body as T };
  }
  const answer = await create();
  await db
    .insert(idempotencyKeys)
    .values({ actor: actorId, key, route, status: answer.status, body: answer.body as object })
    .onConflictDoNothing();
  return answer;
}
