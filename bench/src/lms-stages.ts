import type pg from 'pg';
import { formatTable, median } from './latency-stats';
import type { LmsNetwork } from './lms-network';

/*
 * Where an import's time went, read afterwards from timestamps the services already
 * write: the bridge's outbox (one row per applied page, `created_at` = the page's
 * transaction start, `sent_at` = when the relay published it), the consumers' inboxes
 * (`processed_at` = the start of the handling transaction) and registry's and courses'
 * own outboxes. No service is changed or slowed down to measure.
 */

interface Stamp {
  id: string;
  t: number;
  sent?: number | null;
  facts?: number;
}

const epoch = (column: string) => `(extract(epoch from ${column}) * 1000)::float8`;

async function bridgePages(db: pg.Pool, runId: string): Promise<(Stamp & { type: string })[]> {
  const { rows } = await db.query<{
    id: string;
    type: string;
    t: number;
    sent: number | null;
    facts: number;
  }>(
    `select id, type, ${epoch('created_at')} as t, ${epoch('sent_at')} as sent,
       coalesce(jsonb_array_length(data->'people'), jsonb_array_length(data->'classes'),
                jsonb_array_length(data->'enrollments'), jsonb_array_length(data->'grades'), 0) as facts
     from lms_bridge.outbox where data->>'runId' = $1 and type like 'mathnet.lms.%.synced' order by seq`,
    [runId],
  );
  return rows;
}

async function inbox(db: pg.Pool, schema: string, group: string, after: number): Promise<Stamp[]> {
  const { rows } = await db.query<Stamp>(
    `select event_id as id, ${epoch('processed_at')} as t from ${schema}.inbox
     where consumer_group = $1 and processed_at >= to_timestamp($2 / 1000.0) order by processed_at`,
    [group, after],
  );
  return rows;
}

async function outbox(db: pg.Pool, schema: string, like: string, after: number): Promise<Stamp[]> {
  const { rows } = await db.query<Stamp>(
    `select id, ${epoch('created_at')} as t, ${epoch('sent_at')} as sent from ${schema}.outbox
     where type like $1 and created_at >= to_timestamp($2 / 1000.0) order by seq`,
    [like, after],
  );
  return rows;
}

const s = (msAfter: number) => (msAfter / 1000).toFixed(1);

/** One row: how many, from when to when (s after the POST), rate, and the median gap between consecutive stamps. */
function row(
  label: string,
  stamps: Stamp[],
  t0: number,
  unit: number[] | undefined,
  lag?: number[],
): string[] {
  if (stamps.length === 0) return [label, '0', '', '', '', '', '', ''];
  const times = stamps.map((x) => x.t).sort((a, b) => a - b);
  const first = times[0]!;
  const last = times.at(-1)!;
  const facts = unit ? unit.reduce((a, b) => a + b, 0) : stamps.length;
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  const lags = lag?.filter(Number.isFinite).sort((a, b) => a - b) ?? [];
  return [
    label,
    String(stamps.length),
    String(facts),
    s(first - t0),
    s(last - t0),
    last > first ? ((facts * 1000) / (last - first)).toFixed(0) : '',
    gaps.length ? median(gaps).toFixed(0) : '',
    lags.length ? `${median(lags).toFixed(0)} / ${lags.at(-1)!.toFixed(0)}` : '',
  ];
}

/**
 * A table of the pipeline stages of the import run `runId` posted at wall time `t0`
 * (ms since the epoch): bridge pages per entity, the bridge relay, registry's and
 * courses' consumers (with their lag behind the publish), and what they published in turn.
 */
export async function stageReport(network: LmsNetwork, runId: string, t0: number): Promise<string> {
  const { bridgeDb, registryDb, coursesDb } = network;
  const pages = await bridgePages(bridgeDb, runId);
  const sentOf = new Map(pages.map((p) => [p.id, p.sent ?? Number.NaN]));
  const factsOf = new Map(pages.map((p) => [p.id, p.facts ?? 0]));
  const rows: (string[] | '-')[] = [];
  for (const entity of ['people', 'classes', 'enrollments', 'grades']) {
    const of = pages.filter((p) => p.type === `mathnet.lms.${entity}.synced`);
    if (of.length)
      rows.push(
        row(
          `bridge: ${entity} pages applied`,
          of,
          t0,
          of.map((p) => p.facts ?? 0),
          of.map((p) => p.sent! - p.t),
        ),
      );
  }
  rows.push(
    row(
      'bridge relay: published',
      pages.map((p) => ({ id: p.id, t: p.sent ?? Number.NaN })).filter((p) => Number.isFinite(p.t)),
      t0,
      pages.map((p) => p.facts ?? 0),
    ),
  );
  rows.push('-');
  const consumed = async (label: string, db: pg.Pool, schema: string, group: string) => {
    const stamps = (await inbox(db, schema, group, t0)).filter((x) => sentOf.has(x.id));
    rows.push(
      row(
        label,
        stamps,
        t0,
        stamps.map((x) => factsOf.get(x.id) ?? 0),
        stamps.map((x) => x.t - sentOf.get(x.id)!),
      ),
    );
  };
  await consumed('registry: people batches handled', registryDb, 'registry', 'registry.lms-people');
  await consumed('courses: fact batches handled', coursesDb, 'courses', 'courses.lms-facts');
  rows.push('-');
  const published = async (label: string, db: pg.Pool, schema: string, like: string) => {
    const stamps = await outbox(db, schema, like, t0);
    rows.push(
      row(
        label,
        stamps,
        t0,
        undefined,
        stamps.map((x) => (x.sent ?? Number.NaN) - x.t),
      ),
    );
    return stamps;
  };
  const people = await published(
    'registry: person events written',
    registryDb,
    'registry',
    // person.* (API) and people.changed (one per LMS batch, ADR 0007)
    'mathnet.registry.pe%',
  );
  // enrollment.* (API) and enrollments.changed (one per LMS batch)
  await published('courses: enrollment events written', coursesDb, 'courses', 'mathnet.courses.enrollment%');
  await published('courses: offering events written', coursesDb, 'courses', 'mathnet.courses.offering.%');
  rows.push('-');
  const ids = new Map(people.map((p) => [p.id, p.sent ?? Number.NaN]));
  for (const [label, db, schema, group] of [
    ['courses: person events handled', coursesDb, 'courses', 'courses.registry-read-model'],
    ['bridge: person events handled', bridgeDb, 'lms_bridge', 'lms-bridge.registry-people'],
  ] as const) {
    const stamps = (await inbox(db, schema, group, t0)).filter((x) => ids.has(x.id));
    rows.push(
      row(
        label,
        stamps,
        t0,
        undefined,
        stamps.map((x) => x.t - ids.get(x.id)!),
      ),
    );
  }
  return formatTable(
    ['stage', 'events', 'facts', 'first s', 'last s', 'facts/s', 'gap ms p50', 'lag ms p50 / max'],
    rows,
  );
}
