import type { OfferingEvent } from '@mathnet/contracts';
import type { Db, Tx } from '@mathnet/db';
import { InputError } from '@mathnet/kit';
import { and, arrayContains, eq, gte, inArray, lte, or, type SQL, sql } from 'drizzle-orm';
import { type AnyPgColumn, PgDialect } from 'drizzle-orm/pg-core';
import type { Offering, OfferingCreate, OfferingListQuery, OfferingPatch } from '../http/offering-schemas';
import { offerings, organisationView } from './schema';

type Row = typeof offerings.$inferSelect;
type AnswerRow = Omit<Row, 'searchText'>;
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

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function decodeSortCursor(cursor: string | undefined): SortKey | undefined {
  if (!cursor) return undefined;
  try {
    const [value, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    if (typeof value !== 'string' || typeof id !== 'string' || !uuidPattern.test(id))
      throw new Error('shape');
    return { value, id };
  } catch {
    throw new InputError('cursor: expected a cursor returned as nextCursor by a previous page');
  }
}

const sortColumns = {
  // UUIDv7 ids sort by creation; compared as uuid so the (status, id) index serves the default order.
  created: sql`${offerings.id}`,
  title: sql`lower(${offerings.title})`,
  termStart: sql`coalesce(${offerings.termStart}::text, '9999-12-31')`,
} as const;

/** A timestamp as `Date.toISOString()` writes it (UTC, milliseconds), the way {@link toOffering} answers it. */
const isoTimestamp = (column: AnyPgColumn) =>
  sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * One catalogue item as JSON text, built by PostgreSQL: the same fields and values as
 * {@link toOffering} (a test holds them equal). Building it in the database spares the
 * service parsing every column, mapping rows and serialising them again, which was most
 * of its CPU per search.
 */
const itemJson = sql`json_build_object(${sql.join(
  (
    [
      ['id', sql`${offerings.id}`],
      ['title', sql`${offerings.title}`],
      ['description', sql`${offerings.description}`],
      ['kind', sql`${offerings.kind}`],
      ['providerId', sql`${offerings.providerId}`],
      [
        'provider',
        sql`case when coalesce(${organisationView.name}, '') = '' then null else json_build_object('name', ${organisationView.name}, 'shortName', ${organisationView.shortName}, 'kind', ${organisationView.kind}) end`,
      ],
      ['teacherIds', sql`${offerings.teacherIds}`],
      ['subjects', sql`${offerings.subjects}`],
      ['grades', sql`${offerings.grades}`],
      ['level', sql`${offerings.level}`],
      ['hours', sql`${offerings.hours}`],
      ['format', sql`${offerings.format}`],
      ['platformUrl', sql`${offerings.platformUrl}`],
      ['termStart', sql`${offerings.termStart}`],
      ['termEnd', sql`${offerings.termEnd}`],
      ['schedule', sql`${offerings.schedule}`],
      ['place', sql`${offerings.place}`],
      ['capacity', sql`${offerings.capacity}`],
      ['schoolQuota', sql`${offerings.schoolQuota}`],
      ['enrolled', sql`${offerings.enrolledCount}`],
      ['freeSeats', sql`greatest(0, ${offerings.capacity} - ${offerings.enrolledCount})`],
      ['prerequisites', sql`${offerings.prerequisites}`],
      ['assessmentForm', sql`${offerings.assessmentForm}`],
      ['documentIssued', sql`${offerings.documentIssued}`],
      ['agreementRef', sql`${offerings.agreementRef}`],
      ['audience', sql`${offerings.audience}`],
      ['origin', sql`${offerings.origin}`],
      ['status', sql`${offerings.status}`],
      ['version', sql`${offerings.version}`],
      ['publishedAt', isoTimestamp(offerings.publishedAt)],
      ['createdAt', isoTimestamp(offerings.createdAt)],
      ['updatedAt', isoTimestamp(offerings.updatedAt)],
    ] satisfies [keyof Offering, SQL][]
  ).map(([key, value]) => sql`${sql.raw(`'${key}'`)}, ${value}`),
  sql`, `,
)})::text`;

// The fixed parts of the search SQL, rendered once: rendering the ~100 chunks of the
// item's JSON on every search took a tenth of the service's CPU per search.
const dialect = new PgDialect();
const rendered = (chunk: SQL) => {
  const query = dialect.sqlToQuery(chunk);
  if (query.params.length > 0) throw new Error('a fixed part of the search SQL must carry no parameters');
  return sql.raw(query.sql);
};
const bySort = (part: (sortExpr: SQL) => SQL) =>
  Object.fromEntries(
    Object.entries(sortColumns).map(([sort, expr]) => [sort, rendered(part(expr))]),
  ) as Record<keyof typeof sortColumns, SQL>;
/** `select … from … left join …` of each sort. */
const searchHeads = bySort(
  (sortExpr) => sql`select ${offerings.id}::text as id, ${sortExpr}::text as sort_value, ${itemJson} as item
    from ${offerings} left join ${organisationView} on ${organisationView.id} = ${offerings.providerId}`,
);
/** `order by …` of each sort: the sort key, then the id. */
const searchOrders = bySort((sortExpr) => sql`order by ${sortExpr} asc, ${offerings.id} asc`);

/** The filters of a search, as SQL conditions. */
function searchConditions(query: OfferingListQuery, visibleDrafts: 'all' | string[]): SQL[] {
  const where: SQL[] = [];
  where.push(eq(offerings.status, query.status ?? 'published'));
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
  const after = decodeSortCursor(query.cursor);
  if (after) {
    // A row comparison, so the (status, sort key, id) index seeks straight to the next page.
    where.push(
      query.sort === 'created'
        ? sql`${offerings.id} > ${after.id}`
        : sql`(${sortColumns[query.sort]}, ${offerings.id}) > (${after.value}, ${after.id}::uuid)`,
    );
  }
  return where;
}

/**
 * Catalogue search: filters, text words (all must match), a stable sort with a
 * (value, id) keyset cursor; no total count (a count would read every match on every
 * page). `visibleDrafts` lists the providers whose drafts the actor may see ('all' for
 * the district). Answers the page as JSON text, `{"items":[…],"nextCursor":…}` (an
 * OfferingPage), its items built by PostgreSQL.
 */
export async function searchOfferingPage(
  db: Db,
  query: OfferingListQuery,
  visibleDrafts: 'all' | string[],
): Promise<string> {
  const { rows } = await db.execute<{ id: string; sort_value: string; item: string }>(
    sql`${searchHeads[query.sort]} where ${and(...searchConditions(query, visibleDrafts))} ${searchOrders[query.sort]} limit ${sql.raw(String(query.limit + 1))}`,
  );
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > query.limit && last
      ? Buffer.from(JSON.stringify([last.sort_value, last.id])).toString('base64url')
      : null;
  return `{"items":[${page.map((r) => r.item).join(',')}],"nextCursor":${JSON.stringify(nextCursor)}}`;
}
