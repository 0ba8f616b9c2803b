import type { Tx } from '@mathnet/db';
import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import { mappings } from './schema';

export type MappingRow = typeof mappings.$inferSelect;
export type MappingEntity =
  | 'org'
  | 'session'
  | 'course'
  | 'class'
  | 'user'
  | 'enrollment'
  | 'lineItem'
  | 'result';

/** Mappings of one entity type for these external ids, by external id. */
export async function mappingsFor(
  tx: Tx,
  connectionId: string,
  entity: MappingEntity,
  sourceIds: string[],
): Promise<Map<string, MappingRow>> {
  if (sourceIds.length === 0) return new Map();
  const rows = await tx
    .select()
    .from(mappings)
    .where(
      and(
        eq(mappings.connectionId, connectionId),
        eq(mappings.entity, entity),
        inArray(mappings.sourceId, [...new Set(sourceIds)]),
      ),
    );
  return new Map(rows.map((r) => [r.sourceId, r]));
}

/** Network ids (of this entity type) already taken by other external ids of the connection. */
export async function takenNetworkIds(
  tx: Tx,
  connectionId: string,
  entity: MappingEntity,
  networkIds: string[],
): Promise<Set<string>> {
  if (networkIds.length === 0) return new Set();
  const rows = await tx
    .select({ networkId: mappings.networkId })
    .from(mappings)
    .where(
      and(
        eq(mappings.connectionId, connectionId),
        eq(mappings.entity, entity),
        inArray(mappings.networkId, networkIds),
      ),
    );
  return new Set(rows.map((r) => r.networkId));
}

export interface MappingWrite {
  entity: MappingEntity;
  sourceId: string;
  networkId: string;
  fingerprint: string;
  active: boolean;
  detail: Record<string, unknown> | null;
}

/** Writes mappings in one statement (insert or update), marking them seen by the run. */
export async function upsertMappings(
  tx: Tx,
  connectionId: string,
  runId: string,
  writes: MappingWrite[],
): Promise<void> {
  for (let i = 0; i < writes.length; i += 1000) {
    const chunk = writes.slice(i, i + 1000);
    await tx
      .insert(mappings)
      .values(chunk.map((w) => ({ ...w, connectionId, lastSeenRun: runId })))
      .onConflictDoUpdate({
        target: [mappings.connectionId, mappings.entity, mappings.sourceId],
        set: {
          fingerprint: sql`excluded.fingerprint`,
          active: sql`excluded.active`,
          lastSeenRun: sql`excluded.last_seen_run`,
          detail: sql`excluded.detail`,
          updatedAt: sql`now()`,
        },
      });
  }
}

/** Marks mappings seen by the run without changing them (unchanged records of a bulk pull). */
export async function touchMappings(
  tx: Tx,
  connectionId: string,
  entity: MappingEntity,
  sourceIds: string[],
  runId: string,
): Promise<void> {
  if (sourceIds.length === 0) return;
  await tx
    .update(mappings)
    .set({ lastSeenRun: runId })
    .where(
      and(
        eq(mappings.connectionId, connectionId),
        eq(mappings.entity, entity),
        inArray(mappings.sourceId, sourceIds),
      ),
    );
}

/** Active mappings a bulk run did not see (what disappeared from the LMS), a batch at a time. */
export async function unseenActive(
  tx: Tx,
  connectionId: string,
  entity: MappingEntity,
  runId: string,
  limit: number,
): Promise<MappingRow[]> {
  return tx
    .select()
    .from(mappings)
    .where(
      and(
        eq(mappings.connectionId, connectionId),
        eq(mappings.entity, entity),
        eq(mappings.active, true),
        ne(mappings.lastSeenRun, runId),
      ),
    )
    .limit(limit);
}
