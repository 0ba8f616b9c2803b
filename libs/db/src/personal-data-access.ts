import { and, arrayContains, desc, lt } from 'drizzle-orm';
import { index, type PgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { v7 as uuidv7 } from 'uuid';
import type { Db, Tx } from './database';

/**
 * A service's log of access to personal data (ARCHITECTURE.md, "Identity and access"): one
 * row per request that showed, created or changed people's records, with every person
 * concerned. Each service that holds people's data keeps its own, in its own schema; the
 * person, their parents, their school's coordinators and the district read it through that
 * service's `GET /v1/people/{id}/access-log`.
 */
export function definePersonalDataAccessTable(schema: PgSchema) {
  return schema.table(
    'personal_data_access',
    {
      id: uuid('id').primaryKey(),
      at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
      actorId: text('actor_id').notNull(),
      actorKind: text('actor_kind').notNull(),
      action: text('action').notNull(),
      personIds: uuid('person_ids').array().notNull(),
      requestId: text('request_id'),
    },
    (t) => [
      index('personal_data_access_person_ids_idx').using('gin', t.personIds),
      index('personal_data_access_actor_idx').on(t.actorId, t.id),
    ],
  );
}

export type PersonalDataAccessTable = ReturnType<typeof definePersonalDataAccessTable>;

/** What a request did with people's records. */
export type AccessAction = 'read' | 'list' | 'create' | 'update' | 'export';

/** One row of a person's access log, as the APIs show it. */
export interface AccessEntry {
  id: string;
  at: string;
  actorId: string;
  actorKind: string;
  action: AccessAction;
  requestId: string | null;
}

/** Who made the request: an authenticated actor's subject and kind (`person` or `client`). */
export interface AccessActor {
  subject: string;
  kind: string;
}

/**
 * Appends one access record. Call it before the answer is sent, so a request whose record
 * could not be written fails instead of handing out data unlogged. Nothing is written when
 * no person is concerned.
 */
export async function recordAccess(
  db: Db | Tx,
  table: PersonalDataAccessTable,
  /** `requestId` is the request's `req.id` (pino-http types it loosely; strings and numbers are kept). */
  entry: { actor: AccessActor; action: AccessAction; personIds: Iterable<string>; requestId?: unknown },
): Promise<void> {
  const personIds = [...new Set(entry.personIds)];
  if (personIds.length === 0) return;
  await db.insert(table).values({
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

/** The newest accesses to one person's records first, `limit + 1` rows for paging. */
export async function listAccess(
  db: Db,
  table: PersonalDataAccessTable,
  personId: string,
  options: { beforeId?: string | undefined; limit: number },
): Promise<AccessEntry[]> {
  const rows = await db
    .select()
    .from(table)
    .where(
      and(
        arrayContains(table.personIds, [personId]),
        options.beforeId ? lt(table.id, options.beforeId) : undefined,
      ),
    )
    .orderBy(desc(table.id))
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
