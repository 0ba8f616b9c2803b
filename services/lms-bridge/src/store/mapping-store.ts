import type { Db, Tx } from '@mathnet/db';
import { type SQL, sql } from 'drizzle-orm';

/*
 * The mapping queries of a sync run. They are hand-written SQL with one array
 * parameter per column (`= any($1)`, `unnest(...)`): a page of 1,000 records is
 * one short statement with a handful of parameters, where the query builder
 * spent more time building a 1,000-row statement than PostgreSQL running it.
 */

/** A mapping as a sync run reads it. */
export interface MappingRow {
  sourceId: string;
  networkId: string;
  fingerprint: string;
  active: boolean;
  /** Only when asked for (`withDetail`). */
  detail: Record<string, unknown> | null;
}

export type MappingEntity =
  | 'org'
  | 'session'
  | 'course'
  | 'class'
  | 'user'
  | 'enrollment'
  | 'lineItem'
  | 'result';

export type Runner = Pick<Tx, 'execute'> | Pick<Db, 'execute'>;

/** An array bound as one parameter (not spread into a list). */
const arr = (values: unknown[]): SQL => sql`${sql.param(values)}`;

type RawMapping = {
  source_id: string;
  network_id: string;
  fingerprint: string;
  active: boolean;
  detail?: Record<string, unknown> | string | null;
};

const toRow = (r: RawMapping): MappingRow => ({
  sourceId: r.source_id,
  networkId: r.network_id,
  fingerprint: r.fingerprint,
  active: r.active,
  detail:
    typeof r.detail === 'string' ? (JSON.parse(r.detail) as Record<string, unknown>) : (r.detail ?? null),
});

/** Mappings of one entity type for these external ids, by external id (with `detail` when asked). */
export async function mappingsFor(
  tx: Runner,
  connectionId: string,
  entity: MappingEntity,
  sourceIds: string[],
  withDetail = true,
): Promise<Map<string, MappingRow>> {
  const out = new Map<string, MappingRow>();
  if (sourceIds.length === 0) return out;
  const ids = [...new Set(sourceIds)];
  const { rows } = await tx.execute<RawMapping>(
    sql`select source_id, network_id, fingerprint, active${withDetail ? sql`, detail` : sql``}
        from lms_bridge.mappings
        where connection_id = ${connectionId} and entity = ${entity} and source_id = any(${arr(ids)}::text[])`,
  );
  for (const r of rows) out.set(r.source_id, toRow(r));
  return out;
}

/** Network ids (of this entity type) already taken by other external ids of the connection. */
export async function takenNetworkIds(
  tx: Runner,
  connectionId: string,
  entity: MappingEntity,
  networkIds: string[],
): Promise<Set<string>> {
  if (networkIds.length === 0) return new Set();
  const { rows } = await tx.execute<{ network_id: string }>(
    sql`select network_id from lms_bridge.mappings
        where connection_id = ${connectionId} and entity = ${entity} and network_id = any(${arr(networkIds)}::uuid[])`,
  );
  return new Set(rows.map((r) => r.network_id));
}

export interface MappingWrite {
  entity: MappingEntity;
  sourceId: string;
  networkId: string;
  fingerprint: string;
  active: boolean;
  detail: Record<string, unknown> | null;
}

/** Writes mappings, 5,000 a statement (insert or update), stamped with the run that wrote them. */
export async function upsertMappings(
  tx: Runner,
  connectionId: string,
  runId: string,
  writes: MappingWrite[],
): Promise<void> {
  for (let i = 0; i < writes.length; i += 5000) {
    const chunk = writes.slice(i, i + 5000);
    // One JSON text for the whole chunk: the driver sends it as is (no per-element
    // array escaping) and PostgreSQL parses it in one go.
    const rows = JSON.stringify(
      chunk.map((w) => ({
        e: w.entity,
        s: w.sourceId,
        n: w.networkId,
        f: w.fingerprint,
        a: w.active,
        d: w.detail,
      })),
    );
    await tx.execute(
      sql`insert into lms_bridge.mappings
            (connection_id, entity, source_id, network_id, fingerprint, active, last_seen_run, detail)
          select ${connectionId}::uuid, r.e, r.s, r.n, r.f, r.a, ${runId}::uuid, r.d
          from json_to_recordset(${rows}::json) as r(e text, s text, n uuid, f text, a boolean, d jsonb)
          on conflict (connection_id, entity, source_id) do update set
            fingerprint = excluded.fingerprint, active = excluded.active,
            last_seen_run = excluded.last_seen_run, detail = excluded.detail, updated_at = now()`,
    );
  }
}

/**
 * The external ids of the active mappings of one entity type, `limit` at a
 * time in id order after `after` (a keyset page: the run compares them with
 * what it saw, without holding them all at once).
 */
export async function activeSourceIds(
  db: Runner,
  connectionId: string,
  entity: MappingEntity,
  after: string | null,
  limit: number,
): Promise<string[]> {
  const { rows } = await db.execute<{ source_id: string }>(
    sql`select source_id from lms_bridge.mappings
        where connection_id = ${connectionId} and entity = ${entity} and active
          ${after === null ? sql`` : sql`and source_id > ${after}`}
        order by source_id limit ${limit}`,
  );
  return rows.map((r) => r.source_id);
}
