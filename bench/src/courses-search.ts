/**
 * `npm run bench:courses` (second half): catalogue search latency with 10,000
 * published offerings. Starts registry and courses as processes (distributed mode),
 * seeds the catalogue by SQL (varied subjects, grades, formats, kinds, providers,
 * terms, Russian titles and descriptions, plus drafts and archived ones), then loads
 * `GET /v1/offerings` directly on courses as the network administrator with an equal
 * mix of four searches (subject+grade, `?q=<word>`, format+freeSeats sorted by title,
 * term+provider) at several concurrencies, and prints req/s, p50 and p99 overall and
 * per search, and what the database spends on each (EXPLAIN ANALYZE of the same SQL).
 *
 * Environment: TEST_DATABASE_URL, TEST_AMQP_URL (default: the local servers),
 * BENCH_DURATION_SECONDS (10 per run), BENCH_SEARCH_CONNECTIONS (`1,10,50`),
 * BENCH_SEARCH_TARGET_CONNECTIONS (10: the run the p99 target applies to), BENCH_SEARCH_SETUP_SQL
 * (SQL run on the courses database after seeding, to measure a proposed index end to end),
 * BENCH_KEEP_DATABASE=1 (keep the seeded courses database for EXPLAIN by hand).
 */
import { availableParallelism, loadavg } from 'node:os';
import { type BenchContext, runBench, say } from './bench-run';
import {
  explainSearches,
  type SearchCase,
  type SearchKind,
  searchCase,
  searchKinds,
  searchRequest,
} from './catalogue-queries';
import { type CoursesNetwork, startCoursesNetwork } from './courses-network';
import { type CpuSpent, cpuCeiling, startCpuMeter } from './cpu-meter';
import { formatTable, ms, summariseLatencies } from './latency-stats';
import { allLatencies, type PoolResult, runPool } from './request-pool';
import { seedCatalogue } from './seed-catalogue';
import { seedOrganisations } from './seed-people';
import { SeededRandom } from './seeded-random';

const settings = {
  databaseServer: process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  amqpUrl: process.env.TEST_AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672',
  durationSeconds: Number(process.env.BENCH_DURATION_SECONDS || 10),
  connections: (process.env.BENCH_SEARCH_CONNECTIONS || '1,10,50').split(',').map(Number),
  targetConnections: Number(process.env.BENCH_SEARCH_TARGET_CONNECTIONS || 10),
  warmUpSeconds: 3,
  published: 10_000,
  others: 2_000,
  targetP99Ms: 50,
  /** SQL run on the courses database after seeding, before measuring (e.g. `create index …`). */
  setupSql: process.env.BENCH_SEARCH_SETUP_SQL,
};

const machine = () =>
  `${availableParallelism()} CPUs, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;

interface SearchRun {
  connections: number;
  result: PoolResult;
  cpu: CpuSpent;
}

async function load(
  network: CoursesNetwork,
  connections: number,
  seconds: number,
  providers: string[],
  signal: AbortSignal,
): Promise<SearchRun> {
  const random = new SeededRandom(connections * 7919);
  let turn = 0;
  const stopMeter = await startCpuMeter(network.courses.pid, network.coursesDb);
  const result = await runPool({
    baseUrl: network.courses.url,
    headers: { authorization: `Bearer ${network.adminToken}` },
    connections,
    durationMs: seconds * 1000,
    signal,
    next: () => searchRequest(searchCase(searchKinds[turn++ % searchKinds.length]!, random, providers)),
    check: (req, status, body) =>
      status === 200 && body.startsWith('{"items":[')
        ? undefined
        : `${req.path}: ${status} ${body.slice(0, 200)}`,
  });
  const cpu = await stopMeter();
  if (result.aborted) throw new Error('interrupted');
  for (const sample of result.failureSamples) say(`    failed: ${sample}`);
  return { connections, result, cpu };
}

const perSecond = (r: PoolResult) => r.completed / (r.elapsedMs / 1000);
const cpuCell = (cpu: CpuSpent, requests: number) =>
  (['service', 'postgres', 'client'] as const)
    .map((part) => (cpu[part] === undefined ? '-' : ms(cpu[part] / Math.max(1, requests))))
    .join(' / ');

/** Every search kind once, to show what each returns before anything is measured. */
async function probe(network: CoursesNetwork, providers: string[]): Promise<string[][]> {
  const random = new SeededRandom(1);
  const rows: string[][] = [];
  for (const kind of searchKinds) {
    const req = searchRequest(searchCase(kind, random, providers));
    const res = await fetch(`${network.courses.url}${req.path}`, {
      headers: { authorization: `Bearer ${network.adminToken}` },
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${req.path} answered ${res.status}: ${text.slice(0, 300)}`);
    const body = JSON.parse(text) as { items: unknown[]; nextCursor: string | null };
    rows.push([kind, decodeURIComponent(req.path), `${body.items.length}${body.nextCursor ? '+' : ''}`]);
  }
  return rows;
}

async function main({ signal, cleanup }: BenchContext): Promise<number> {
  say(
    `courses search bench: ${settings.published} published offerings, ${settings.durationSeconds} s per run at ` +
      `${settings.connections.join(', ')} connections; ${machine()}`,
  );
  const network = await startCoursesNetwork(
    { databaseServer: settings.databaseServer, amqpUrl: settings.amqpUrl, label: 'bench_search', say },
    cleanup,
  );
  failureOutput = network.output;
  const random = new SeededRandom(20261001);
  const orgs = await seedOrganisations(network.coursesDb, { schools: 40, hubs: 10, partners: 5 });
  const providers = [...orgs.schools, ...orgs.partners];
  const seeding = Date.now();
  await seedCatalogue(
    network.coursesDb,
    { published: settings.published, others: settings.others },
    providers,
    random,
  );
  say(
    `seeded ${settings.published} published + ${settings.others} draft/archived offerings of ${providers.length} providers in ${((Date.now() - seeding) / 1000).toFixed(1)} s`,
  );
  if (settings.setupSql) {
    // To measure a proposed index (or setting) end to end: the same run with it in place.
    await network.coursesDb.query(settings.setupSql);
    await network.coursesDb.query('analyze courses.offerings');
    say(`ran BENCH_SEARCH_SETUP_SQL: ${settings.setupSql}`);
  }
  say('');
  say(formatTable(['search', 'example', 'items'], await probe(network, providers)));

  const warm = await load(network, 10, settings.warmUpSeconds, providers, signal);
  if (warm.result.failures > 0) throw new Error(`the warm-up had ${warm.result.failures} failed requests`);
  const runs: SearchRun[] = [];
  for (const connections of settings.connections) {
    const run = await load(network, connections, settings.durationSeconds, providers, signal);
    const all = summariseLatencies(allLatencies(run.result));
    say(
      `  ${connections} connections: ${perSecond(run.result).toFixed(0)} req/s, p50 ${ms(all.p50)} ms, p99 ${ms(all.p99)} ms`,
    );
    runs.push(run);
  }

  // What the database spends per search, on the same SQL the service sends (its plans, no HTTP, no pool).
  const explainRandom = new SeededRandom(99);
  const cases: SearchCase[] = searchKinds.flatMap((kind) =>
    Array.from({ length: 15 }, () => searchCase(kind, explainRandom, providers)),
  );
  const explained = await explainSearches(network.coursesDb, cases);

  say('');
  say(
    formatTable(
      [
        'connections',
        'requests',
        'req/s',
        'p50 ms',
        'p99 ms',
        'max ms',
        'CPU ms/req courses/pg/client',
        'failed',
      ],
      runs.map((r) => {
        const all = summariseLatencies(allLatencies(r.result));
        return [
          String(r.connections),
          String(r.result.completed),
          perSecond(r.result).toFixed(0),
          ms(all.p50),
          ms(all.p99),
          ms(all.max),
          cpuCell(r.cpu, r.result.completed),
          String(r.result.failures),
        ];
      }),
    ),
  );
  say('');
  const kindHeader = [
    'search',
    ...runs.map((r) => `p50/p99 ms @${r.connections}`),
    'db exec ms',
    'db plan ms',
  ];
  say(
    formatTable(
      kindHeader,
      searchKinds.map((kind: SearchKind) => {
        const e = explained.find((x) => x.kind === kind);
        return [
          kind,
          ...runs.map((r) => {
            const s = summariseLatencies(r.result.latencies.get(kind) ?? []);
            return `${ms(s.p50)} / ${ms(s.p99)}`;
          }),
          e ? ms(e.executionMs) : '-',
          e ? ms(e.planningMs) : '-',
        ];
      }),
    ),
  );
  say('');
  say('plans (slowest case of each search, EXPLAIN ANALYZE):');
  for (const e of explained) say(`  ${e.kind}: ${e.plan}`);

  const target = runs.find((r) => r.connections === settings.targetConnections) ?? runs.at(-1);
  say('');
  if (target) {
    const per = (part: keyof CpuSpent) => {
      const spent = target.cpu[part];
      return spent === undefined ? undefined : spent / Math.max(1, target.result.completed);
    };
    const ceiling = cpuCeiling(
      { service: per('service'), postgres: per('postgres'), client: per('client') },
      availableParallelism(),
      'search',
    );
    if (ceiling) say(ceiling);
    const p99 = summariseLatencies(allLatencies(target.result)).p99;
    say(
      `p99 at ${target.connections} connections: ${ms(p99)} ms (target <= ${settings.targetP99Ms} ms) ` +
        `${p99 <= settings.targetP99Ms ? 'met' : 'NOT met'}`,
    );
  }
  say(`(courses ${network.courses.url}, ${network.busNote}; after the runs: ${machine()})`);
  const failures = runs.reduce((sum, r) => sum + r.result.failures, 0);
  if (failures > 0) {
    say(`\nFAILED: ${failures} requests failed (non-200, errors or timeouts): the figures are not valid`);
    return 1;
  }
  return 0;
}

let failureOutput: (() => string) | undefined;
await runBench(main, () => failureOutput?.());
