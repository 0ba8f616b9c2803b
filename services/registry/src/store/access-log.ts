import type { Actor } from '@mathnet/auth';
import type { Db, Tx } from '@mathnet/db';
import { and, arrayContains, desc, lt } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { personalDataAccess } from './schema';

/** What a request did with people's records. */
export type AccessAction = 'read' | 'list' | 'create' | 'update';

/** One row of a person's access log, as the API shows it. */
export interface AccessEntry {
  id: string;
  at: string;
  actorId: string;
  actorKind: string;
  action: AccessAction;
  requestId: string | null;
}

/**
 * Appends one access record. Called before the answer is sent, so a request whose
 * record could not be written fails instead of handing out data unlogged.
 */
export async function recordAccess(
  db: Db | Tx,
  /** `requestId` is the request's `req.id` (pino-http types it loosely; strings and numbers are kept). */
  entry: { actor: Actor; action: AccessAction; personIds: string[]; requestId?: unknown },
): Promise<void> {
  const personIds = [...new Set(entry.personIds)];
  if (personIds.length === 0) return;
  await db.insert(personalDataAccess).values({
    id: uuidv7(),
    actorId: entry.actor.subject,
    actorKind: entry.actor.kind,
    action: entry.action,
    personIds,
    requestId:
      typeof entry.requestId === 'string' || typeof entry.requestId === 'number'
        ? String(entry.requestId)
        : null,
  });
}

/** The newest accesses to one person's record first, `limit + 1` rows for paging. */
export async function listAccess(
  db: Db,
  personId: string,
  options: { beforeId?: string | undefined; limit: number },
): Promise<AccessEntry[]> {
  const rows = await db
    .select()
    .from(personalDataAccess)
    .where(
      and(
        arrayContains(personalDataAccess.personIds, [personId]),
        options.beforeId ? lt(personalDataAccess.id, options.beforeId) : undefined,
      ),
    )
    .orderBy(desc(personalDataAccess.id))
    .limit(options.limit + 1);
  return rows.map((r) => ({
    id: r.id,
    at: r.at.toISOString(),
    actorId: r.actorId,
    actorKind: r.actorKind,
    action: r.action as AccessAction,
    requestId: r.requestId,
  }));
}
