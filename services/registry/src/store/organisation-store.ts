import type { OrganisationSnapshot } from '@mathnet/contracts';
import type { Db, Tx } from '@mathnet/db';
import { and, asc, eq, gt, ilike, inArray, or, type SQL } from 'drizzle-orm';
import type { Organisation, OrganisationCreate, OrganisationPatch } from '../http/schemas';
import { organisations } from './schema';

type Row = typeof organisations.$inferSelect;

/** The API shape of an organisation row. */
export function toOrganisation(row: Row): Organisation {
  return {
    id: row.id,
    name: row.name,
    shortName: row.shortName,
    kind: row.kind as Organisation['kind'],
    isHub: row.isHub,
    address: row.address ?? null,
    contacts: row.contacts ?? null,
    profiles: row.profiles as Organisation['profiles'],
    status: row.status as Organisation['status'],
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** What the organisation events carry. */
export function organisationSnapshot(org: Organisation): OrganisationSnapshot {
  return {
    id: org.id,
    name: org.name,
    shortName: org.shortName,
    kind: org.kind,
    isHub: org.isHub,
    profiles: org.profiles,
    status: org.status,
    version: org.version,
  };
}

export async function insertOrganisation(
  tx: Tx,
  id: string,
  input: OrganisationCreate,
): Promise<Organisation> {
  const [row] = await tx
    .insert(organisations)
    .values({
      id,
      name: input.name,
      kind: input.kind,
      shortName: input.shortName ?? null,
      isHub: input.isHub ?? false,
      address: input.address ?? null,
      contacts: input.contacts ?? null,
      profiles: input.profiles ?? [],
    })
    .returning();
  return toOrganisation(row!);
}

export async function findOrganisation(
  db: Db | Tx,
  id: string,
  forUpdate = false,
): Promise<Organisation | undefined> {
  const query = db.select().from(organisations).where(eq(organisations.id, id));
  const [row] = forUpdate ? await query.for('update') : await query;
  return row ? toOrganisation(row) : undefined;
}

export async function updateOrganisation(
  tx: Tx,
  current: Organisation,
  patch: OrganisationPatch,
): Promise<Organisation> {
  const [row] = await tx
    .update(organisations)
    .set({ ...patch, version: current.version + 1, updatedAt: new Date() })
    .where(eq(organisations.id, current.id))
    .returning();
  return toOrganisation(row!);
}

export interface OrganisationFilter {
  kind?: string;
  status?: string;
  isHub?: boolean;
  q?: string;
  afterId?: string;
  limit: number;
}

/** A page of organisations ordered by id; fetches `limit + 1` to know whether another page exists. */
export async function listOrganisations(db: Db, filter: OrganisationFilter): Promise<Organisation[]> {
  const conditions: SQL[] = [];
  if (filter.kind) conditions.push(eq(organisations.kind, filter.kind));
  if (filter.status) conditions.push(eq(organisations.status, filter.status));
  if (filter.isHub !== undefined) conditions.push(eq(organisations.isHub, filter.isHub));
  if (filter.q) {
    const pattern = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(or(ilike(organisations.name, pattern), ilike(organisations.shortName, pattern))!);
  }
  if (filter.afterId) conditions.push(gt(organisations.id, filter.afterId));
  const rows = await db
    .select()
    .from(organisations)
    .where(and(...conditions))
    .orderBy(asc(organisations.id))
    .limit(filter.limit + 1);
  return rows.map(toOrganisation);
}

/** Ids of the given organisations that exist, for validating role assignments. */
export async function existingOrganisationIds(db: Db | Tx, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .select({ id: organisations.id })
    .from(organisations)
    .where(inArray(organisations.id, ids));
  return new Set(rows.map((r) => r.id));
}
