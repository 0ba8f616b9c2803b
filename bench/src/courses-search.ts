/**
 * `npm run bench:courses` (second half): catalogue search latency with 10,000
 * published offerings. Starts registry and courses as processes (distributed mode),
 * seeds the catalogue by SQL (varied subjects, grades, formats, kinds, providers,
 * terms, Russian titles and descriptions, plus drafts and archived ones), then loads
 * `GET /v1/offerings` directly on courses as the network administrator with the mix of
 * catalogue-queries.ts (equal shares of subject+grade, `?q=<word>`, format+freeSeats
 * sorted by title, term+provider and the next page of one of those, pages of 20), and
 * prints throughput, p50 and p99 overall and per search, the CPU each part spends per
 * search, and what the database spends on each (EXPLAIN ANALYZE of the same SQL).
 *
 * Two load models, both printed:
 * - closed loop at 1, 10 and 50 connections, each sending its next request as soon as
 *   the previous one is answered: from 10 connections on, this saturates the 2 cores that
 *   PostgreSQL, courses and this load generator share, and p99 is mostly queueing;
 * - open loop at stated rates (Poisson arrivals, latency counted from each scheduled
 *   arrival, up to BENCH_SEARCH_OPEN_CONNECTIONS connections): the latency a user sees
 *   when the machine serves that many searches per second.
 *
 * Environment: TEST_DATABASE_URL, TEST_AMQP_URL (default: the local servers),
 * BENCH_DURATION_SECONDS (10 per run), BENCH_SEARCH_CONNECTIONS (`1,10,50`),
 * BENCH_SEARCH_RATES (`100,200` searches/s, open loop; empty for none),
 * BENCH_SEARCH_OPEN_CONNECTIONS (32), BENCH_SEARCH_TARGET_CONNECTIONS (10) and
 * BENCH_SEARCH_TARGET_RATE (the highest rate): the runs the p99 target is checked on,
 * BENCH_SEARCH_PAGE_SIZE (20), BENCH_SEARCH_SETUP_SQL (SQL run on the courses database
 * after seeding, to measure a proposed index end to end), BENCH_KEEP_DATABASE=1 (keep the
 * seeded courses database). TEST_AMQP_URL=memory:// runs both services on their own
 * in-process bus (the search needs no events: the bench seeds the read model by SQL).
 */
import { availableParallelism, loadavg } from 'node:os';
import { type BenchContext, runBench, say } from './bench-run';
import {
  collectNextPages,
  explainSearches,
  pageSize,
  type SearchCase,
  type SearchKind,
  type SearchPool,
  searchCase,
  searchKinds,
  searchRequest,
} from './catalogue-queries';
import { type CoursesNetwork, startCoursesNetwork } from './courses-network';
import { type CpuSpent, cpuCeiling, startCpuMeter } from './cpu-meter';
import { formatTable, ms, summariseLatencies } from './latency-stats';
import { runOpenLoop } from './open-loop';
import { allLatencies, type PoolRequest, type PoolResult, runPool } from './request-pool';
import { seedCatalogue } from './seed-catalogue';
import { seedOrganisations } from './seed-people';
import { SeededRandom } from './seeded-random';

const list = (value: string | undefined, fallback: string) =>
  (value ?? fallback)
    .split(',')
    .filter((x) => x.trim() !== '')
    .map(Number);

const settings = {
  databaseServer: process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  amqpUrl: process.env.TEST_AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672/mathnet_dev',
  durationSeconds: Number(process.env.BENCH_DURATION_SECONDS || 10),
  connections: list(process.env.BENCH_SEARCH_CONNECTIONS, '1,10,50'),
  rates: list(process.env.BENCH_SEARCH_RATES, '100,200'),
  openConnections: Number(process.env.BENCH_SEARCH_OPEN_CONNECTIONS || 32),
  targetConnections: Number(process.env.BENCH_SEARCH_TARGET_CONNECTIONS || 10),
  targetRate: process.env.BENCH_SEARCH_TARGET_RATE ? Number(process.env.BENCH_SEARCH_TARGET_RATE) : undefined,
  warmUpSeconds: 3,
  published: 10_000,
  others: 2_000,
  /** First pages fetched per kind to find next pages for the `next page` searches. */
  firstPagesPerKind: 40,
  targetP99Ms: 50,
  /** SQL run on the courses database after seeding, before measuring (e.g. `create index …`). */
  setupSql: process.env.BENCH_SEARCH_SETUP_SQL,
};

const machine = () =>
  `${availableParallelism()} CPUs, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;

/** One measured run: closed loop at `connections`, or open loop at `rate` per second. */
interface SearchRun {
  label: string;
  connections: number;
  rate?: number;
  result: PoolResult;
  cpu: CpuSpent;
  /** 1-minute load average right after the run. */
  load: number;
}

const okAnswer = (req: PoolRequest, status: number, body: string) =>
  status === 200 && body.startsWith('{"items":[')
    ? undefined
    : `${req.path}: ${status} ${body.slice(0, 200)}`;

async function load(
  network: CoursesNetwork,
  model: { connections: number } | { rate: number },
  seconds: number,
  pool: SearchPool,
  signal: AbortSignal,
): Promise<SearchRun> {
  const random = new SeededRandom('rate' in model ? model.rate * 104_729 : model.connections * 7919);
  let turn = 0;
  const next = () => searchRequest(searchCase(searchKinds[turn++ % searchKinds.length]!, random, pool));
  const headers = { authorization: `Bearer ${network.adminToken}` };
  const stopMeter = await startCpuMeter(network.courses.pid, network.coursesDb);
  let run: Omit<SearchRun, 'cpu' | 'load'>;
  if ('rate' in model) {
    const result = await runOpenLoop({
      baseUrl: network.courses.url,
      headers,
      ratePerSecond: model.rate,
      random: new SeededRandom(model.rate),
      maxConnections: settings.openConnections,
      durationMs: seconds * 1000,
      next,
      check: okAnswer,
      signal,
    });
    run = { label: `${model.rate}/s open`, connections: result.maxInFlight, rate: model.rate, result };
  } else {
    const { connections } = model;
    const result = await runPool({
      baseUrl: network.courses.url,
      headers,
      connections,
      durationMs: seconds * 1000,
      signal,
      next,
      check: okAnswer,
    });
    run = { label: `${connections} closed`, connections, result };
  }
  const cpu = await stopMeter();
  if (run.result.aborted) throw new Error('interrupted');
  for (const sample of run.result.failureSamples) say(`    failed: ${sample}`);
  return { ...run, cpu, load: loadavg()[0]! };
}

const perSecond = (r: PoolResult) => r.completed / (r.elapsedMs / 1000);
const cpuCell = (cpu: CpuSpent, requests: number) =>
  (['service', 'postgres', 'client'] as const)
    .map((part) => (cpu[part] === undefined ? '-' : ms(cpu[part] / Math.max(1, requests))))
    .join(' / ');

async function main({ signal, cleanup }: BenchContext): Promise<number> {
  say(
    `courses search bench: ${settings.published} published offerings, pages of ${pageSize}; ` +
      `${settings.durationSeconds} s per run, closed loop at ${settings.connections.join(', ')} connections, ` +
      `open loop at ${settings.rates.join(', ') || 'no'} searches/s (Poisson, up to ${settings.openConnections} connections); ${machine()}`,
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
  const pool = { providers, nextPages: [] as SearchCase[] };
  say('');
  say(
    formatTable(
      ['search', 'example', 'items', 'answer'],
      await collectNextPages(
        { baseUrl: network.courses.url, token: network.adminToken, perKind: settings.firstPagesPerKind },
        pool,
      ),
    ),
  );
  say('');

  const warm = await load(network, { connections: 10 }, settings.warmUpSeconds, pool, signal);
  if (warm.result.failures > 0) throw new Error(`the warm-up had ${warm.result.failures} failed requests`);
  const runs: SearchRun[] = [];
  const models = [
    ...settings.connections.map((connections) => ({ connections })),
    ...settings.rates.map((rate) => ({ rate })),
  ];
  for (const model of models) {
    const run = await load(network, model, settings.durationSeconds, pool, signal);
    const all = summariseLatencies(allLatencies(run.result));
    say(
      `  ${'rate' in model ? `open loop ${model.rate}/s (up to ${run.connections} connections)` : `closed loop ${model.connections} connections`}: ` +
        `${perSecond(run.result).toFixed(0)} req/s, p50 ${ms(all.p50)} ms, p99 ${ms(all.p99)} ms, load ${run.load.toFixed(2)}`,
    );
    runs.push(run);
  }

  // What the database spends per search, on the same SQL the service sends (its plans, no HTTP, no pool).
  const explainRandom = new SeededRandom(99);
  const cases: SearchCase[] = searchKinds.flatMap((kind) =>
    Array.from({ length: 15 }, () => searchCase(kind, explainRandom, pool)),
  );
  const explained = await explainSearches(network.coursesDb, cases);

  say('');
  say(
    formatTable(
      [
        'load',
        'connections',
        'requests',
        'req/s',
        'p50 ms',
        'p99 ms',
        'max ms',
        'CPU ms/req courses/pg/client',
        'failed',
        'load avg',
      ],
      runs.map((r) => {
        const all = summariseLatencies(allLatencies(r.result));
        return [
          r.rate === undefined ? 'closed loop' : `open ${r.rate}/s`,
          r.rate === undefined ? String(r.connections) : `<= ${r.connections}`,
          String(r.result.completed),
          perSecond(r.result).toFixed(0),
          ms(all.p50),
          ms(all.p99),
          ms(all.max),
          cpuCell(r.cpu, r.result.completed),
          String(r.result.failures),
          r.load.toFixed(2),
        ];
      }),
    ),
  );
  say('');
  say(
    formatTable(
      ['search', ...runs.map((r) => `p50/p99 @${r.label}`), 'db exec ms', 'db plan ms'],
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

  const closed = runs.filter((r) => r.rate === undefined);
  const open = runs.filter((r) => r.rate !== undefined);
  const saturated = closed.find((r) => r.connections === settings.targetConnections) ?? closed.at(-1);
  const targetRate = settings.targetRate ?? Math.max(...settings.rates);
  const stated = open.find((r) => r.rate === targetRate) ?? open.at(-1);
  say('');
  if (saturated) {
    const per = (part: keyof CpuSpent) => {
      const spent = saturated.cpu[part];
      return spent === undefined ? undefined : spent / Math.max(1, saturated.result.completed);
    };
    const ceiling = cpuCeiling(
      { service: per('service'), postgres: per('postgres'), client: per('client') },
      availableParallelism(),
      'search',
    );
    if (ceiling) say(ceiling);
  }
  const verdict = (p99: number) =>
    `${ms(p99)} ms (target <= ${settings.targetP99Ms} ms) ${p99 <= settings.targetP99Ms ? 'met' : 'NOT met'}`;
  if (saturated)
    say(
      `p99 closed loop, ${saturated.connections} connections (saturated: ${perSecond(saturated.result).toFixed(0)} req/s, ` +
        `the p99 is mostly queueing): ${verdict(summariseLatencies(allLatencies(saturated.result)).p99)}`,
    );
  if (stated)
    say(
      `p99 open loop at ${stated.rate} searches/s (achieved ${perSecond(stated.result).toFixed(0)} req/s, ` +
        `up to ${stated.connections} connections, load average ${stated.load.toFixed(2)}): ` +
        verdict(summariseLatencies(allLatencies(stated.result)).p99),
    );
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
