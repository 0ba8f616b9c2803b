/**
 * `npm run bench:lms`: a OneRoster CSV import of a generated district, end to end, in
 * distributed mode. Starts registry, courses, lms-bridge and the gateway as processes
 * (PostgreSQL, RabbitMQ; scratch databases and vhost), creates a school and a OneRoster
 * connection through the gateway, and POSTs the district's zip to
 * `/api/lms-bridge/v1/connections/{id}/imports`. Measures from the POST until the run
 * succeeded, registry holds every user at the school and courses every class (as an
 * offering) and every student enrollment; prints rows/s end to end and the bridge's
 * peak RSS, where the time went (per stage, from the services' own timestamps) and the
 * CPU each process used. Then imports the same zip again: it must change nothing and
 * send no change event to registry or courses.
 *
 * Target (scale 1: 100,000 users, 500,000 enrollments): ≤ 60 s end to end, bridge peak
 * RSS ≤ 500 MB, second import ≤ 20 s with zero changes.
 *
 * Arguments: `--scale=0.1` (10,000 users, 50,000 enrollments). Environment:
 * TEST_DATABASE_URL, TEST_AMQP_URL (default: the local servers), BENCH_LMS_TIMEOUT_S
 * (600, per import), BENCH_LMS_PROFILE_DIR (a CPU profile of registry, courses and the
 * bridge each, written there at exit), BENCH_LMS_LOG_SQL_MS (the PostgreSQL server logs the
 * bench databases' statements slower than that), BENCH_LMS_ANALYZE_S (ANALYZE the databases
 * that often: what autoanalyze would do, where the server runs with autovacuum off),
 * BENCH_KEEP_DATABASE=1 (keep the databases).
 */
import { availableParallelism, loadavg } from 'node:os';
import { type BenchContext, runBench, say } from './bench-run';
import { formatTable } from './latency-stats';
import { analyzeEvery, autovacuumSetting } from './lms-analyze';
import { startCpuAccount } from './lms-cpu';
import { districtAtScale, districtZipFile, targetsOf } from './lms-district';
import { FactTracker } from './lms-fact-tracker';
import { type MemoryFigures, MemorySampler, mb } from './lms-memory';
import { type LmsNetwork, startLmsNetwork } from './lms-network';
import {
  eventMark,
  ImportTimeout,
  type ImportTimes,
  probes,
  type RunRow,
  waitForImport,
  waitSettled,
} from './lms-progress';
import { stageReport } from './lms-stages';

const scaleArg = process.argv.find((a) => a.startsWith('--scale='));
const scale = scaleArg ? Number(scaleArg.slice('--scale='.length)) : 1;
const settings = {
  databaseServer: process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  amqpUrl: process.env.TEST_AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672',
  timeoutMs: Number(process.env.BENCH_LMS_TIMEOUT_S || 600) * 1000,
  maxImportMb: 1024,
  /** BENCH_LMS_ANALYZE_S: ANALYZE every so many seconds (a what-if where autovacuum is off). */
  analyzeMs: Number(process.env.BENCH_LMS_ANALYZE_S || 0) * 1000,
  seed: 20260915,
  target: { seconds: 60, rssMb: 500, secondSeconds: 20 },
};

const machine = () =>
  `${availableParallelism()} CPUs, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** fetch, with the cause of a network failure in the message (undici hides it in `cause`). */
async function request(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    throw new Error(`${init.method} ${url} failed${cause}`);
  }
}

async function api(network: LmsNetwork, path: string, body: unknown): Promise<{ id: string }> {
  const res = await request(`${network.gateway.url}/api${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${network.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`POST /api${path} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as { id: string };
}

/** POSTs the zip through the gateway; where the gateway answers 413, straight to the bridge (and says so). */
async function postImport(network: LmsNetwork, connectionId: string, zip: Buffer) {
  const path = `/v1/connections/${connectionId}/imports`;
  const post = (url: string) =>
    request(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${network.adminToken}`, 'content-type': 'application/zip' },
      body: zip,
    });
  let via = 'through the gateway';
  let res = await post(`${network.gateway.url}/api/lms-bridge${path}`);
  if (res.status === 413) {
    await res.text();
    via = 'DIRECTLY to lms-bridge: the gateway answered 413 for this body';
    res = await post(`${network.bridge.url}${path}`);
  }
  const text = await res.text();
  if (res.status !== 202) throw new Error(`the import POST answered ${res.status}: ${text.slice(0, 300)}`);
  return { runId: (JSON.parse(text) as { runId: string }).runId, via };
}

interface ImportFigures {
  upload: number;
  /** Undefined when the import timed out (then `timedOut` says how far it got). */
  times: ImportTimes | undefined;
  timedOut?: string;
  run: RunRow | undefined;
  memory: Map<string, MemoryFigures>;
  cpu: Record<string, number>;
  /** ms from the POST to the end of the wait. */
  wallMs: number;
  runId: string;
  /** Wall-clock ms of the POST (for the stage report). */
  postedAt: number;
}

async function importOnce(
  network: LmsNetwork,
  label: string,
  ids: { orgId: string; connectionId: string },
  zip: Buffer,
  targets: ReturnType<typeof targetsOf>['targets'],
  signal: AbortSignal,
): Promise<ImportFigures> {
  const memory = new MemorySampler({
    'lms-bridge': network.bridge.pid,
    registry: network.registry.pid,
    courses: network.courses.pid,
  });
  try {
    const stopCpu = await startCpuAccount(
      {
        'lms-bridge': network.bridge.pid,
        registry: network.registry.pid,
        courses: network.courses.pid,
        gateway: network.gateway.pid,
      },
      { 'lms-bridge': network.bridgeDb, registry: network.registryDb, courses: network.coursesDb },
    );
    const tracker = await FactTracker.start(network);
    const postedAt = Date.now();
    const t0 = performance.now();
    const { runId, via } = await postImport(network, ids.connectionId, zip);
    const upload = performance.now() - t0;
    say(`${label}: posted ${via}, 202 after ${sec(upload)}; run ${runId}`);
    const waited = await waitForImport(network, {
      orgId: ids.orgId,
      runId,
      targets,
      t0,
      timeoutMs: settings.timeoutMs,
      signal,
      progress: say,
      extra: () => `bridge RSS ${mb(memory.current('lms-bridge')?.lastRss)}`,
      tracker,
    }).catch((error: unknown) => {
      // A timed-out import still tells where its time went: report it, then fail the bench.
      if (error instanceof ImportTimeout) return error.message;
      throw error;
    });
    const cpu = await stopCpu();
    const figures = { upload, memory: memory.stop(), cpu, runId, postedAt, wallMs: performance.now() - t0 };
    return typeof waited === 'string'
      ? { ...figures, times: undefined, run: undefined, timedOut: waited }
      : { ...figures, ...waited };
  } finally {
    memory.stop();
  }
}

function cpuTable(cpu: Record<string, number>, wallMs: number): string {
  const rows = Object.entries(cpu)
    .sort(([, a], [, b]) => b - a)
    .map(([name, ms]) => [name, (ms / 1000).toFixed(1), ((100 * ms) / wallMs).toFixed(0)]);
  const all = Object.values(cpu).reduce((a, b) => a + b, 0);
  return formatTable(
    ['process', 'CPU s', '% of one core'],
    [...rows, '-', ['all', (all / 1000).toFixed(1), ((100 * all) / wallMs).toFixed(0)]],
  );
}

const countsLine = (c: RunRow['counts']) =>
  `created ${c.created}, updated ${c.updated}, deactivated ${c.deactivated}, unchanged ${c.unchanged}, failed ${c.failed}`;

async function main({ signal, cleanup }: BenchContext): Promise<number> {
  if (!Number.isFinite(scale) || scale <= 0 || scale > 2)
    throw new Error(`--scale: expected a number in (0, 2], got ${scaleArg}`);
  const district = districtAtScale(scale, settings.seed);
  const { targets, created, rows } = targetsOf(district);
  const c = district.counts;
  say(
    `LMS import bench (scale ${scale}): ${c.users} users, ${c.classes} classes, ${c.enrollments} enrollments, ` +
      `${c.results} results; ${machine()}`,
  );
  const zip = await districtZipFile(district, cleanup);
  say(`district zip: ${mb(zip.bytes)} written in ${sec(zip.ms)}`);
  const network = await startLmsNetwork({ ...settings, label: 'bench_lms', say }, cleanup);
  failureOutput = network.output;
  const autovacuum = await autovacuumSetting(network.bridgeDb);
  if (settings.analyzeMs) {
    const stop = analyzeEvery([network.bridgeDb, network.registryDb, network.coursesDb], settings.analyzeMs);
    cleanup.add('stopping the ANALYZE loop', stop);
    say(
      `ANALYZE of the three databases every ${settings.analyzeMs / 1000} s (emulating autoanalyze; server autovacuum ${autovacuum})`,
    );
  } else if (autovacuum !== 'on')
    say(
      `note: this server runs with autovacuum ${autovacuum}: tables that grow during the import are never analyzed`,
    );
  const mark = await eventMark(network, signal);
  const school = await api(network, '/registry/v1/organisations', {
    name: 'МБОУ «Лицей № 1» (bench)',
    kind: 'school',
  });
  const connection = await api(network, '/lms-bridge/v1/connections', {
    organisationId: school.id,
    connector: 'oneroster',
  });
  const ids = { orgId: school.id, connectionId: connection.id };
  await waitSettled(network, mark, 60_000, signal); // the school's event, before anything is measured

  // First import: everything is new.
  const first = await importOnce(network, 'import 1', ids, zip.data, targets, signal);
  const t = first.times;
  const run1 = first.run;
  if (!t || !run1) {
    say(`import 1 NOT done: ${first.timedOut}`);
    say('');
    say(
      'where the time of import 1 went so far (s after the POST; gap = median between consecutive stamps):',
    );
    say(await stageReport(network, first.runId, first.postedAt));
    say('');
    say(`CPU during import 1 (${sec(first.wallMs)} wall, ${availableParallelism()} cores):`);
    say(cpuTable(first.cpu, first.wallMs));
    say(`lms-bridge peak RSS ${mb(first.memory.get('lms-bridge')?.peakRss)}`);
    return 1;
  }
  const bridgeMemory = first.memory.get('lms-bridge');
  say(
    `import 1 done: run succeeded ${sec(t.runSucceeded)}, registry ${sec(t.registry)}, courses ${sec(t.courses)}; ` +
      `end to end ${sec(t.all)}`,
  );
  const settled = await waitSettled(network, mark, settings.timeoutMs, signal);
  say(`every follow-on event handled ${sec(settled)} later (read models, enrollment events)`);
  say('');
  say('where the time of import 1 went (s after the POST; gap = median between consecutive stamps):');
  say(await stageReport(network, first.runId, first.postedAt));
  say('');
  say(`CPU during import 1 (${sec(t.all)} wall, ${availableParallelism()} cores):`);
  say(cpuTable(first.cpu, t.all));

  // Second import of the same zip: nothing may change.
  const before = {
    registry: await probes.outboxTop(network.registryDb, 'registry'),
    courses: await probes.outboxTop(network.coursesDb, 'courses'),
  };
  const second = await importOnce(network, 'import 2', ids, zip.data, targets, signal);
  if (!second.times || !second.run) throw new Error(`import 2 not done: ${second.timedOut}`);
  const secondTimes = second.times;
  await waitSettled(network, mark, 120_000, signal);
  const changeEvents = {
    registry: (await probes.outboxTop(network.registryDb, 'registry')) - before.registry,
    courses: (await probes.outboxTop(network.coursesDb, 'courses')) - before.courses,
    bridge: Number(
      (
        await network.bridgeDb.query<{ n: string }>(
          `select count(*) as n from lms_bridge.outbox where data->>'runId' = $1 and type like 'mathnet.lms.%.synced'`,
          [second.runId],
        )
      ).rows[0]?.n,
    ),
  };

  // Summary.
  const perSecond = rows / (t.all / 1000);
  const peak = Math.max(bridgeMemory?.peakRss ?? 0, second.memory.get('lms-bridge')?.peakRss ?? 0);
  const hwm = second.memory.get('lms-bridge')?.hwm;
  const s2 = secondTimes.runSucceeded;
  const c2 = second.run.counts;
  say('');
  say(
    formatTable(
      ['', 'end to end', 'run', 'registry', 'courses', 'rows/s', 'bridge RSS start/peak'],
      [
        [
          'import 1',
          sec(t.all),
          sec(t.runSucceeded),
          sec(t.registry),
          sec(t.courses),
          perSecond.toFixed(0),
          `${mb(bridgeMemory?.startRss)} / ${mb(bridgeMemory?.peakRss)}`,
        ],
        [
          'import 2',
          sec(secondTimes.all),
          sec(s2),
          '',
          '',
          (rows / (secondTimes.all / 1000)).toFixed(0),
          `${mb(second.memory.get('lms-bridge')?.startRss)} / ${mb(second.memory.get('lms-bridge')?.peakRss)}`,
        ],
      ],
    ),
  );
  say(`rows = users ${c.users} + enrollments ${c.enrollments} + classes ${c.classes} = ${rows}`);
  say(`import 1 counts: ${countsLine(run1.counts)} (expected created ${created})`);
  say(`import 2 counts: ${countsLine(c2)}`);
  say(
    `change events after import 2: registry ${changeEvents.registry}, courses ${changeEvents.courses}, ` +
      `bridge fact batches ${changeEvents.bridge}`,
  );
  say(
    `lms-bridge peak RSS ${mb(peak)} (VmHWM since its start ${mb(hwm)}); registry peak ${mb(first.memory.get('registry')?.peakRss)}, courses peak ${mb(first.memory.get('courses')?.peakRss)}`,
  );
  const problems: string[] = [];
  if (run1.counts.created !== created || run1.counts.failed !== 0)
    problems.push(`import 1 counts ${countsLine(run1.counts)}, expected created ${created}, failed 0`);
  if (c2.created + c2.updated + c2.deactivated + c2.failed !== 0)
    problems.push(`import 2 changed: ${countsLine(c2)}`);
  if (changeEvents.registry + changeEvents.courses + changeEvents.bridge !== 0)
    problems.push('import 2 sent change events');
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  if (scale === 1) {
    const { seconds, rssMb, secondSeconds } = settings.target;
    say(
      `target: end to end ≤ ${seconds} s ${verdict(t.all <= seconds * 1000)}; bridge peak RSS ≤ ${rssMb} MB ` +
        `${verdict(peak <= rssMb * 1024 * 1024)}; second import ≤ ${secondSeconds} s with zero changes ` +
        `${verdict(secondTimes.all <= secondSeconds * 1000 && problems.length === 0)}`,
    );
  } else say(`(targets apply at scale 1; this run was at scale ${scale})`);
  say(`(${network.busNote}; after the runs: ${machine()})`);
  if (problems.length > 0) {
    say(`\nFAILED: ${problems.join('; ')}`);
    return 1;
  }
  return 0;
}

let failureOutput: (() => string) | undefined;
await runBench(main, () => failureOutput?.());
