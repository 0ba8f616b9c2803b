import type pg from 'pg';
import type { FactTracker } from './lms-fact-tracker';
import type { LmsNetwork } from './lms-network';
import { queueDepths } from './lms-queues';

/** What registry and courses must hold once an import of a district arrived. */
export interface ImportTargets {
  /** People with a role at the school (students and teachers). */
  people: number;
  /** LMS classes, as offerings of the school. */
  offerings: number;
  /** Student enrollments, enrolled (or completed by a pulled grade). */
  enrollments: number;
  /** Facts the bridge sends of each kind (people: every user; enrollments: teachers' too). */
  facts: { people: number; classes: number; enrollments: number };
}

/** The run row of an import, as the bridge's database has it. */
export interface RunRow {
  status: string;
  counts: { created: number; updated: number; deactivated: number; unchanged: number; failed: number };
  checkpoint: Record<string, number>;
  error: string | null;
  errors: { reason: string }[];
}

const count = async (db: pg.Pool, text: string, values: unknown[] = []): Promise<number> => {
  const { rows } = await db.query<{ n: string }>(text, values);
  return Number(rows[0]?.n ?? 0);
};

export const probes = {
  run: async (db: pg.Pool, runId: string): Promise<RunRow | undefined> =>
    (
      await db.query<RunRow>(
        'select status, counts, checkpoint, error, errors from lms_bridge.runs where id = $1',
        [runId],
      )
    ).rows[0],
  people: (db: pg.Pool, orgId: string) =>
    count(
      db,
      `select count(distinct person_id) as n from registry.role_assignments
       where organisation_id = $1 and role in ('student', 'teacher', 'parent')`,
      [orgId],
    ),
  offerings: (db: pg.Pool, orgId: string) =>
    count(db, `select count(*) as n from courses.offerings where provider_id = $1 and origin = 'lms'`, [
      orgId,
    ]),
  enrollments: (db: pg.Pool, orgId: string) =>
    count(
      db,
      `select count(*) as n from courses.enrollments e join courses.offerings o on o.id = e.offering_id
       where o.provider_id = $1 and e.status in ('enrolled', 'completed')`,
      [orgId],
    ),
  unsent: (db: pg.Pool, schema: string) =>
    count(db, `select count(*) as n from ${schema}.outbox where sent_at is null`),
  outboxTop: (db: pg.Pool, schema: string) =>
    count(db, `select coalesce(max(seq), 0) as n from ${schema}.outbox`),
};

/** The import was not done within its time; the message says how far it got. */
export class ImportTimeout extends Error {
  override name = 'ImportTimeout';
}

/** Times (ms after the POST) at which each part of an import was done. */
export interface ImportTimes {
  runSucceeded: number;
  registry: number;
  courses: number;
  all: number;
}

export interface WaitOptions {
  orgId: string;
  runId: string;
  targets: ImportTargets;
  /** `performance.now()` of the POST. */
  t0: number;
  /** Give up after this many ms after t0. */
  timeoutMs: number;
  signal: AbortSignal;
  /** Called every few seconds with a progress line. */
  progress(line: string): void;
  /** Extra text of a progress line (e.g. the bridge's RSS). */
  extra?: () => string;
  /** Made before the POST, so it follows exactly the batches of this import. */
  tracker: FactTracker;
}

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Waits until the run succeeded, registry holds every person at the school and courses
 * every class and student enrollment (separate processes offer nothing to await, so it
 * polls). Counting 500,000 rows every 200 ms would load the databases being measured, so
 * it follows the fact batches (see {@link FactTracker}) and counts the rows only once a
 * consumer has handled every fact it needs, confirming with SQL (at most once a second).
 * Throws when the run fails, or an {@link ImportTimeout} when the deadline passes.
 */
export async function waitForImport(
  network: LmsNetwork,
  o: WaitOptions,
): Promise<{ times: ImportTimes; run: RunRow }> {
  const since = () => performance.now() - o.t0;
  const tracker = o.tracker;
  const done: Partial<ImportTimes> = {};
  const counted = { registry: -Infinity, courses: -Infinity };
  let run: RunRow | undefined;
  let people = 0;
  let offerings = 0;
  let enrollments = 0;
  let lastLine = -Infinity;
  for (;;) {
    o.signal.throwIfAborted();
    await tracker.refresh();
    if (done.runSucceeded === undefined) {
      run = await probes.run(network.bridgeDb, o.runId);
      if (run?.status === 'failed') throw new Error(`the import run failed: ${run.error}`);
      if (run?.status === 'succeeded') done.runSucceeded = since();
    }
    const ended = done.runSucceeded !== undefined;
    const facts = {
      people: tracker.facts('people'),
      classes: tracker.facts('classes'),
      enrollments: tracker.facts('enrollments'),
    };
    const registryReady =
      facts.people.handled >= o.targets.facts.people || (ended && tracker.caughtUp('registry'));
    if (done.registry === undefined && registryReady && since() - counted.registry >= 1000) {
      counted.registry = since();
      people = await probes.people(network.registryDb, o.orgId);
      if (people >= o.targets.people) done.registry = since();
    }
    const coursesReady =
      (facts.classes.handled >= o.targets.facts.classes &&
        facts.enrollments.handled >= o.targets.facts.enrollments) ||
      (ended && tracker.caughtUp('courses'));
    if (done.courses === undefined && coursesReady && since() - counted.courses >= 1000) {
      counted.courses = since();
      offerings = await probes.offerings(network.coursesDb, o.orgId);
      enrollments = await probes.enrollments(network.coursesDb, o.orgId);
      if (offerings >= o.targets.offerings && enrollments >= o.targets.enrollments) done.courses = since();
    }
    if (done.runSucceeded !== undefined && done.registry !== undefined && done.courses !== undefined) {
      done.all = Math.max(done.runSucceeded, done.registry, done.courses);
      return { times: done as ImportTimes, run: run! };
    }
    const state = () =>
      `run ${run?.status ?? '?'}; facts handled: registry people ${facts.people.handled}/${o.targets.facts.people}, ` +
      `courses classes ${facts.classes.handled}/${o.targets.facts.classes}, ` +
      `enrollments ${facts.enrollments.handled}/${o.targets.facts.enrollments}` +
      (registryReady ? `; registry people ${people}/${o.targets.people}` : '') +
      (coursesReady
        ? `; courses offerings ${offerings}, enrollments ${enrollments}/${o.targets.enrollments}`
        : '');
    if (since() - lastLine >= 5000) {
      lastLine = since();
      const pages = Object.entries(run?.checkpoint ?? {})
        .filter(([k]) => /users|enrollments/.test(k))
        .map(([k, v]) => `${k.split(':')[1]} ${v}`)
        .join(', ');
      o.progress(
        `  ${(since() / 1000).toFixed(0).padStart(4)} s  ${state()}; pages ${pages || '-'}` +
          `${o.extra ? `; ${o.extra()}` : ''}`,
      );
    }
    if (since() > o.timeoutMs) throw new ImportTimeout(`not done after ${o.timeoutMs / 1000} s: ${state()}`);
    await pause(200);
  }
}

/** Events the bridge published that registry and courses consume. */
const factTypes = {
  people: ['mathnet.lms.people.synced'],
  courses: ['mathnet.lms.classes.synced', 'mathnet.lms.enrollments.synced', 'mathnet.lms.grades.synced'],
};

/**
 * The newest event id in registry's outbox once it sent everything: events after it were
 * published while every consumer's queue existed (ids are UUIDv7, so they sort by time).
 * The ones before (the first administrator, published before courses and the bridge
 * subscribed) never reach those consumers, so the settle checks start after the mark.
 */
export async function eventMark(network: LmsNetwork, signal: AbortSignal): Promise<string> {
  const t0 = performance.now();
  while ((await probes.unsent(network.registryDb, 'registry')) > 0) {
    signal.throwIfAborted();
    if (performance.now() - t0 > 60_000) throw new Error('registry did not publish its first events in 60 s');
    await pause(100);
  }
  const { rows } = await network.registryDb.query<{ id: string }>(
    'select id from registry.outbox order by id desc limit 1',
  );
  return rows[0]?.id ?? '00000000-0000-0000-0000-000000000000';
}

const eventsAfter = (db: pg.Pool, schema: string, like: string[], mark: string) =>
  count(db, `select count(*) as n from ${schema}.outbox where type like any($1) and id > $2`, [like, mark]);
const handledAfter = (db: pg.Pool, schema: string, group: string, mark: string) =>
  count(db, `select count(*) as n from ${schema}.inbox where consumer_group = $1 and event_id > $2`, [
    group,
    mark,
  ]);

/** What must be true once every event of the imports has been handled everywhere. */
async function unsettled(network: LmsNetwork, mark: string): Promise<string[]> {
  const { registryDb, coursesDb, bridgeDb } = network;
  const waiting: string[] = [];
  for (const [db, schema] of [
    [bridgeDb, 'lms_bridge'],
    [registryDb, 'registry'],
    [coursesDb, 'courses'],
  ] as const) {
    const n = await probes.unsent(db, schema);
    if (n > 0) waiting.push(`${n} unsent in ${schema}.outbox`);
  }
  const none = '00000000-0000-0000-0000-000000000000';
  // Per-person events (API changes) and the batch events of LMS batches (ADR 0007).
  const person = ['mathnet.registry.person.%', 'mathnet.registry.people.%'];
  const expected: [pg.Pool, string, string, number, string][] = [
    [
      registryDb,
      'registry',
      'registry.lms-people',
      await eventsAfter(bridgeDb, 'lms_bridge', factTypes.people, none),
      none,
    ],
    [
      coursesDb,
      'courses',
      'courses.lms-facts',
      await eventsAfter(bridgeDb, 'lms_bridge', factTypes.courses, none),
      none,
    ],
    [
      coursesDb,
      'courses',
      'courses.registry-read-model',
      await eventsAfter(registryDb, 'registry', [...person, 'mathnet.registry.organisation.%'], mark),
      mark,
    ],
    [
      bridgeDb,
      'lms_bridge',
      'lms-bridge.registry-people',
      await eventsAfter(registryDb, 'registry', person, mark),
      mark,
    ],
  ];
  for (const [db, schema, group, events, after] of expected) {
    const handled = await handledAfter(db, schema, group, after);
    if (handled < events) waiting.push(`${group} handled ${handled}/${events}`);
  }
  if (waiting.length === 0) {
    const depths = await queueDepths(network.busUrl);
    for (const [queue, n] of Object.entries(depths)) if (n > 0) waiting.push(`${n} ready in ${queue}`);
  }
  return waiting;
}

/**
 * Waits until every event since `mark` (see {@link eventMark}) was published and handled:
 * outboxes empty, every fact batch and every person event in its consumers' inboxes,
 * queues empty. Resolves with the ms it took; throws after `timeoutMs` naming what waits.
 */
export async function waitSettled(
  network: LmsNetwork,
  mark: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<number> {
  const t0 = performance.now();
  let waiting: string[] = [];
  while (performance.now() - t0 < timeoutMs) {
    signal.throwIfAborted();
    waiting = await unsettled(network, mark);
    if (waiting.length === 0) return performance.now() - t0;
    await pause(500);
  }
  throw new Error(`events not settled after ${timeoutMs / 1000} s: ${waiting.join('; ')}`);
}
