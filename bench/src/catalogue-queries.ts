import type pg from 'pg';
import { median } from './latency-stats';
import type { PoolRequest } from './request-pool';
import { searchWords } from './seed-catalogue';
import type { SeededRandom } from './seeded-random';

/** The kinds of catalogue search the bench mixes, in equal shares. */
export const searchKinds = ['subject+grade', 'q=word', 'format+freeSeats by title', 'term+provider'] as const;
export type SearchKind = (typeof searchKinds)[number];

const subjects = ['maths', 'physics', 'informatics', 'astronomy', 'other'];
const formats = ['distance', 'in_person', 'blended'];
/** Dates inside, between and outside the seeded terms. */
const termDates = ['2026-10-01', '2025-10-15', '2026-02-16', '2026-07-01', '2027-03-01'];

/** One search of a kind, with parameters varied so the mix is not one cached query. */
export interface SearchCase {
  kind: SearchKind;
  params: Record<string, string>;
}

/** A random search of `kind`, e.g. `subject=maths&grade=10&limit=20`. */
export function searchCase(kind: SearchKind, random: SeededRandom, providers: readonly string[]): SearchCase {
  switch (kind) {
    case 'subject+grade':
      return {
        kind,
        params: { subject: random.pick(subjects), grade: String(random.int(5, 11)), limit: '20' },
      };
    case 'q=word':
      return { kind, params: { q: random.pick(searchWords) } };
    case 'format+freeSeats by title':
      return { kind, params: { format: random.pick(formats), freeSeats: 'true', sort: 'title' } };
    case 'term+provider':
      return { kind, params: { term: random.pick(termDates), providerId: random.pick(providers) } };
  }
}

/** The request of a search case against `GET /v1/offerings`. */
export function searchRequest(c: SearchCase): PoolRequest {
  return { label: c.kind, method: 'GET', path: `/v1/offerings?${new URLSearchParams(c.params)}` };
}

/**
 * The SQL `searchOfferings` (services/courses/src/store/offering-store.ts) sends for a
 * case, written out by hand for EXPLAIN: published only, the filters, the sort key
 * (`id::text` by default), the provider join and `limit + 1`. Keep in step with it.
 */
export function searchSql(c: SearchCase): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const arg = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  const where = [`o.status in ('published')`];
  const p = c.params;
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
  const sort = p.sort === 'title' ? 'lower(o.title)' : 'o.id::text';
  const limit = Number(p.limit ?? 50) + 1;
  return {
    text:
      `select o.*, ${sort}, ov.name, ov.short_name, ov.kind from courses.offerings o ` +
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
