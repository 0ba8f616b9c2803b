import type pg from 'pg';
import { median } from './latency-stats';
import type { PoolRequest } from './request-pool';
import { searchWords } from './seed-catalogue';
import { SeededRandom } from './seeded-random';

/**
 * The kinds of catalogue search the bench mixes, in equal shares: four first pages of a
 * search a catalogue user makes (filters, a text word, a sort) and, as often as each of
 * them, the next page of one of those searches (keyset cursor). Every request asks for a
 * page of 20, what the catalogue shows (and the API's default).
 */
export const searchKinds = [
  'subject+grade',
  'q=word',
  'format+freeSeats by title',
  'term+provider',
  'next page',
] as const;
export type SearchKind = (typeof searchKinds)[number];
/** The kinds whose first page a `next page` search continues. */
export const firstPageKinds = searchKinds.filter((k) => k !== 'next page');

/** Items per page in every search of the mix: 20, or BENCH_SEARCH_PAGE_SIZE (to measure what page size costs). */
export const pageSize = Number(process.env.BENCH_SEARCH_PAGE_SIZE || 20);

const subjects = ['maths', 'physics', 'informatics', 'astronomy', 'other'];
const formats = ['distance', 'in_person', 'blended'];
/** Dates inside, between and outside the seeded terms. */
const termDates = ['2026-10-01', '2025-10-15', '2026-02-16', '2026-07-01', '2027-03-01'];

/** One search of a kind, with parameters varied so the mix is not one cached query. */
export interface SearchCase {
  kind: SearchKind;
  params: Record<string, string>;
}

/** What the cases are drawn from: the seeded providers and second pages found by {@link nextPageOf}. */
export interface SearchPool {
  providers: readonly string[];
  /** `next page` cases (first-page parameters plus the cursor the service answered). */
  nextPages: readonly SearchCase[];
}

/** A random search of `kind`, e.g. `subject=maths&grade=10&limit=20`. */
export function searchCase(kind: SearchKind, random: SeededRandom, pool: SearchPool): SearchCase {
  const limit = String(pageSize);
  switch (kind) {
    case 'subject+grade':
      return { kind, params: { subject: random.pick(subjects), grade: String(random.int(5, 11)), limit } };
    case 'q=word':
      return { kind, params: { q: random.pick(searchWords), limit } };
    case 'format+freeSeats by title':
      return { kind, params: { format: random.pick(formats), freeSeats: 'true', sort: 'title', limit } };
    case 'term+provider':
      return {
        kind,
        params: { term: random.pick(termDates), providerId: random.pick(pool.providers), limit },
      };
    case 'next page':
      if (pool.nextPages.length === 0) throw new Error('no next pages: collect them with nextPageOf first');
      return random.pick(pool.nextPages);
  }
}

/** The `next page` case continuing `first` (a first-page case) with the `nextCursor` its answer gave. */
export function nextPageOf(first: SearchCase, nextCursor: string): SearchCase {
  return { kind: 'next page', params: { ...first.params, cursor: nextCursor } };
}

/** The request of a search case against `GET /v1/offerings`. */
export function searchRequest(c: SearchCase): PoolRequest {
  return { label: c.kind, method: 'GET', path: `/v1/offerings?${new URLSearchParams(c.params)}` };
}

/**
 * Fetches `perKind` first pages of every kind from the service, collects the next page of
 * each that has one into `pool.nextPages`, and answers one example row per kind (the
 * request, the items and the size of the answer) to print.
 */
export async function collectNextPages(
  service: { baseUrl: string; token: string; perKind: number },
  pool: SearchPool & { nextPages: SearchCase[] },
): Promise<string[][]> {
  const random = new SeededRandom(1);
  const rows: string[][] = [];
  for (const kind of firstPageKinds) {
    for (let i = 0; i < service.perKind; i++) {
      const first = searchCase(kind, random, pool);
      const req = searchRequest(first);
      const res = await fetch(`${service.baseUrl}${req.path}`, {
        headers: { authorization: `Bearer ${service.token}` },
      });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`${req.path} answered ${res.status}: ${text.slice(0, 300)}`);
      const body = JSON.parse(text) as { items: unknown[]; nextCursor: string | null };
      if (body.nextCursor) pool.nextPages.push(nextPageOf(first, body.nextCursor));
      if (i === 0)
        rows.push([
          kind,
          decodeURIComponent(req.path),
          `${body.items.length}${body.nextCursor ? '+' : ''}`,
          `${(Buffer.byteLength(text) / 1024).toFixed(1)} kB`,
        ]);
    }
  }
  rows.push([
    'next page',
    `one of the ${pool.nextPages.length} second pages of those searches (&cursor=…)`,
    '',
    '',
  ]);
  return rows;
}

/** The JSON of one item, as `searchOfferingPage` has PostgreSQL build it. */
const itemJson = `json_build_object('id', o.id, 'title', o.title, 'description', o.description, 'kind', o.kind,
  'providerId', o.provider_id, 'provider', case when coalesce(ov.name, '') = '' then null else
  json_build_object('name', ov.name, 'shortName', ov.short_name, 'kind', ov.kind) end,
  'teacherIds', o.teacher_ids, 'subjects', o.subjects, 'grades', o.grades, 'level', o.level, 'hours', o.hours,
  'format', o.format, 'platformUrl', o.platform_url, 'termStart', o.term_start, 'termEnd', o.term_end,
  'schedule', o.schedule, 'place', o.place, 'capacity', o.capacity, 'schoolQuota', o.school_quota,
  'enrolled', o.enrolled_count, 'freeSeats', greatest(0, o.capacity - o.enrolled_count),
  'prerequisites', o.prerequisites, 'assessmentForm', o.assessment_form, 'documentIssued', o.document_issued,
  'agreementRef', o.agreement_ref, 'audience', o.audience, 'origin', o.origin, 'status', o.status,
  'version', o.version,
  'publishedAt', to_char(o.published_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  'createdAt', to_char(o.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  'updatedAt', to_char(o.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text`;

const sortExpressions: Record<string, string> = {
  created: 'o.id',
  title: 'lower(o.title)',
  termStart: "coalesce(o.term_start::text, '9999-12-31')",
};

/**
 * The SQL `searchOfferingPage` (services/courses/src/store/offering-store.ts) sends for
 * a case, written out by hand for EXPLAIN: published only, the filters, the keyset
 * condition of a cursor, the sort key (the uuid `id` by default), the provider join,
 * the items' JSON and `limit + 1`. Keep in step with it.
 */
export function searchSql(c: SearchCase): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const arg = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  const p = c.params;
  const where = [`o.status = ${arg('published')}`];
  if (p.subject) where.push(`o.subjects @> ${arg(`{${p.subject}}`)}`);
  if (p.grade) where.push(`o.grades @> ${arg(`{${p.grade}}`)}`);
  if (p.format) where.push(`o.format = ${arg(p.format)}`);
  if (p.providerId) where.push(`o.provider_id = ${arg(p.providerId)}`);
  if (p.term) {
    where.push(`(o.term_start is null or o.term_start <= ${arg(p.term)})`);
    where.push(`(o.term_end is null or o.term_end >= ${arg(p.term)})`);
  }
  if (p.freeSeats) where.push('o.enrolled_count < o.capacity');
  if (p.q) where.push(`o.search_text like ${arg(`%${p.q.toLowerCase()}%`)}`);
  const sort = sortExpressions[p.sort ?? 'created']!;
  if (p.cursor) {
    const [value, id] = JSON.parse(Buffer.from(p.cursor, 'base64url').toString('utf8')) as [string, string];
    where.push(
      (p.sort ?? 'created') === 'created'
        ? `o.id > ${arg(id)}`
        : `(${sort}, o.id) > (${arg(value)}, ${arg(id)}::uuid)`,
    );
  }
  const limit = Number(p.limit ?? pageSize) + 1;
  return {
    text:
      `select o.id::text as id, ${sort}::text as sort_value, ${itemJson} as item from courses.offerings o ` +
      'left join courses.organisation_view ov on ov.id = o.provider_id ' +
      `where ${where.join(' and ')} order by ${sort} asc, o.id asc limit ${limit}`,
    values,
  };
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Rows Removed by Filter'?: number;
  'Sort Method'?: string;
  Plans?: PlanNode[];
}

/** One line per plan: node types from the top, with the scans' rows kept and removed. */
function planLine(node: PlanNode): string {
  const parts: string[] = [];
  const walk = (n: PlanNode) => {
    let label = n['Node Type'];
    if (n['Sort Method']) label += ` (${n['Sort Method']})`;
    if (n['Index Name']) label += ` ${n['Index Name']}`;
    else if (n['Relation Name']) label += ` ${n['Relation Name']}`;
    if (n['Node Type'].includes('Scan'))
      label += ` [${n['Actual Rows'] ?? 0} rows${n['Rows Removed by Filter'] ? `, ${n['Rows Removed by Filter']} filtered out` : ''}]`;
    parts.push(label);
    for (const child of n.Plans ?? []) walk(child);
  };
  walk(node);
  return parts.join(' > ');
}

/** What the database itself spends on one search kind. */
export interface ExplainFigure {
  kind: SearchKind;
  /** Median `Execution Time` of EXPLAIN ANALYZE over the cases, ms. */
  executionMs: number;
  planningMs: number;
  /** The plan of the slowest case. */
  plan: string;
}

/** EXPLAIN (ANALYZE) of `cases` (several per kind), folded per kind. */
export async function explainSearches(db: pg.Pool, cases: readonly SearchCase[]): Promise<ExplainFigure[]> {
  const byKind = new Map<SearchKind, { exec: number[]; plan: number[]; slowest: [number, string] }>();
  for (const c of cases) {
    const { text, values } = searchSql(c);
    const { rows } = await db.query<{
      'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number; 'Planning Time': number }];
    }>(`explain (analyze, format json) ${text}`, values);
    const [result] = rows[0]!['QUERY PLAN'];
    const entry = byKind.get(c.kind) ?? { exec: [], plan: [], slowest: [-1, ''] };
    entry.exec.push(result['Execution Time']);
    entry.plan.push(result['Planning Time']);
    if (result['Execution Time'] > entry.slowest[0])
      entry.slowest = [result['Execution Time'], planLine(result.Plan)];
    byKind.set(c.kind, entry);
  }
  return [...byKind].map(([kind, e]) => ({
    kind,
    executionMs: median(e.exec),
    planningMs: median(e.plan),
    plan: e.slowest[1],
  }));
}
