import type { OfferingEvent } from '@mathnet/contracts';
import type { Db, Tx } from '@mathnet/db';
import { InputError } from '@mathnet/kit';
import {
  and,
  arrayContains,
  asc,
  eq,
  getTableColumns,
  gt,
  gte,
  inArray,
  lte,
  or,
  type SQL,
  sql,
} from 'drizzle-orm';
import type { Offering, OfferingCreate, OfferingListQuery, OfferingPatch } from '../http/offering-schemas';
import { offerings, organisationView } from './schema';

type Row = typeof offerings.$inferSelect;
type AnswerRow = Omit<Row, 'searchText'>;

/** Every column but the search text (it is only for filtering; large, never answered). */
const { searchText: _searchText, ...answerColumns } = getTableColumns(offerings);
type ProviderRow = { name: string; shortName: string | null; kind: string } | null;

export function toOffering(row: AnswerRow, provider: ProviderRow = null): Offering {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    kind: row.kind as Offering['kind'],
    providerId: row.providerId,
    provider,
    teacherIds: row.teacherIds,
    subjects: row.subjects,
    grades: row.grades,
    level: row.level as Offering['level'],
    hours: row.hours,
    format: row.format as Offering['format'],
    platformUrl: row.platformUrl,
    termStart: row.termStart,
    termEnd: row.termEnd,
    schedule: row.schedule,
    place: row.place,
    capacity: row.capacity,
    schoolQuota: row.schoolQuota,
    enrolled: row.enrolledCount,
    freeSeats: Math.max(0, row.capacity - row.enrolledCount),
    prerequisites: row.prerequisites,
    assessmentForm: row.assessmentForm,
    documentIssued: row.documentIssued,
    agreementRef: row.agreementRef,
    audience: row.audience as Offering['audience'],
    origin: row.origin as Offering['origin'],
    status: row.status as Offering['status'],
    version: row.version,
    publishedAt: row.publishedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** What the offering events carry. */
export function offeringEvent(o: Offering): OfferingEvent {
  return {
    id: o.id,
    title: o.title,
    providerId: o.providerId,
    kind: o.kind,
    subjects: o.subjects,
    grades: o.grades,
    level: o.level,
    format: o.format,
    hours: o.hours,
    capacity: o.capacity,
    audience: o.audience,
    status: o.status,
    termStart: o.termStart,
    termEnd: o.termEnd,
    version: o.version,
  };
}

function searchTextOf(o: { title: string; description?: string | null; place?: string | null }): string {
  return [o.title, o.description, o.place].filter(Boolean).join(' ').toLowerCase();
}

export async function insertOffering(
  tx: Tx,
  id: string,
  input: OfferingCreate,
  createdBy: string,
): Promise<Row> {
  const audience = input.audience ?? (input.kind === 'teacher_training' ? 'teachers' : 'students');
  const [row] = await tx
    .insert(offerings)
    .values({ ...input, id, audience, createdBy, searchText: searchTextOf(input) })
    .returning();
  return row!;
}

export async function findOfferingRow(db: Db | Tx, id: string, forUpdate = false): Promise<Row | undefined> {
  const query = db.select().from(offerings).where(eq(offerings.id, id));
  const [row] = forUpdate ? await query.for('update') : await query;
  return row;
}

export async function providerOf(db: Db | Tx, providerId: string): Promise<ProviderRow> {
  const [org] = await db
    .select({
      name: organisationView.name,
      shortName: organisationView.shortName,
      kind: organisationView.kind,
    })
    .from(organisationView)
    .where(eq(organisationView.id, providerId));
  return org ?? null;
}

export async function updateOffering(
  tx: Tx,
  current: Row,
  patch: OfferingPatch & { status?: string; publishedAt?: Date },
): Promise<Row> {
  const merged = { ...current, ...patch };
  const [row] = await tx
    .update(offerings)
    .set({ ...patch, searchText: searchTextOf(merged), version: current.version + 1, updatedAt: new Date() })
    .where(eq(offerings.id, current.id))
    .returning();
  return row!;
}

interface SortKey {
  value: string;
  id: string;
}

function decodeSortCursor(cursor: string | undefined): SortKey | undefined {
  if (!cursor) return undefined;
  try {
    const [value, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    if (typeof value !== 'string' || typeof id !== 'string' || !/^[0-9a-f-]{36}$/.test(id))
      throw new Error('shape');
    return { value, id };
  } catch {
    throw new InputError('cursor: expected a cursor returned as nextCursor by a previous page');
  }
}

const sortColumns = {
  // UUIDv7 ids sort by creation; compared as uuid so the (status, id) index serves the default order.
  created: sql<string>`${offerings.id}`,
  title: sql<string>`lower(${offerings.title})`,
  termStart: sql<string>`coalesce(${offerings.termStart}::text, '9999-12-31')`,
} as const;

/**
 * Catalogue search: filters, text words (all must match), a stable sort with an
 * (value, id) keyset cursor. `visibleDrafts` lists the providers whose drafts the
 * actor may see ('all' for the district).
 */
export async function searchOfferings(
  db: Db,
  query: OfferingListQuery,
  visibleDrafts: 'all' | string[],
): Promise<{ items: Offering[]; nextCursor: string | null }> {
  const where: SQL[] = [];
  if (query.status) where.push(eq(offerings.status, query.status));
  else where.push(inArray(offerings.status, ['published']));
  if (query.status === 'draft' && visibleDrafts !== 'all') {
    where.push(visibleDrafts.length ? inArray(offerings.providerId, visibleDrafts) : sql`false`);
  }
  if (query.subject) where.push(arrayContains(offerings.subjects, [query.subject]));
  if (query.grade !== undefined) where.push(arrayContains(offerings.grades, [query.grade]));
  if (query.format) where.push(eq(offerings.format, query.format));
  if (query.kind) where.push(eq(offerings.kind, query.kind));
  if (query.providerId) where.push(eq(offerings.providerId, query.providerId));
  if (query.audience) where.push(eq(offerings.audience, query.audience));
  if (query.term) {
    where.push(or(sql`${offerings.termStart} is null`, lte(offerings.termStart, query.term))!);
    where.push(or(sql`${offerings.termEnd} is null`, gte(offerings.termEnd, query.term))!);
  }
  if (query.freeSeats) where.push(sql`${offerings.enrolledCount} < ${offerings.capacity}`);
  if (query.q) {
    for (const word of query.q.toLowerCase().split(/\s+/).slice(0, 5)) {
      where.push(sql`${offerings.searchText} like ${`%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`);
    }
  }
  const sortExpr = sortColumns[query.sort];
  const after = decodeSortCursor(query.cursor);
  if (after)
    where.push(or(gt(sortExpr, after.value), and(eq(sortExpr, after.value), gt(offerings.id, after.id)))!);
  const rows = await db
    .select({
      offering: offerings,
      sortValue: sortExpr,
      provider: {
        name: organisationView.name,
        shortName: organisationView.shortName,
        kind: organisationView.kind,
      },
    })
    .from(offerings)
    .leftJoin(organisationView, eq(organisationView.id, offerings.providerId))
    .where(and(...where))
    .orderBy(asc(sortExpr), asc(offerings.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => toOffering(r.offering, r.provider?.name ? r.provider : null)),
    nextCursor:
      rows.length > query.limit && last
        ? Buffer.from(JSON.stringify([last.sortValue, last.offering.id])).toString('base64url')
        : null,
  };
}
