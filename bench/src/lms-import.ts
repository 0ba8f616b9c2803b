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
 * BENCH_KEEP_DATABASE=1 (keep the databases). The services inherit the environment, so
 * e.g. LMS_PAGE_SIZE=2000 sets the bridge's page size (default 1000).
 */
import { availableParallelism, loadavg } from 'node:os';
import { type BenchContext, runBench, say } from './bench-run';
import { analyzeEvery, autovacuumSetting } from './lms-analyze';
import { districtAtScale, districtZipFile, targetsOf } from './lms-district';
import { createThroughGateway, type ImportFigures, importOnce, sec } from './lms-import-run';
import { mb } from './lms-memory';
import { type LmsNetwork, startLmsNetwork } from './lms-network';
import { eventMark, probes, waitSettled } from './lms-progress';
import { countsLine, cpuTable, importsTable } from './lms-report';
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

/** Where an import's time and CPU went. */
async function explain(network: LmsNetwork, label: string, f: ImportFigures, stages: boolean): Promise<void> {
  if (stages) {
    say('');
    say(`where the time of ${label} went (s after the POST; gap = median between consecutive stamps):`);
    say(await stageReport(network, f.runId, f.postedAt));
  }
  const wall = f.times?.all ?? f.wallMs;
  say('');
  say(`CPU during ${label} (${sec(wall)} wall, ${availableParallelism()} cores):`);
  say(cpuTable(f.cpu, wall));
}

/** The events registry's and courses' outboxes hold so far (their top seq). */
const outboxTops = async (network: LmsNetwork) => ({
  registry: await probes.outboxTop(network.registryDb, 'registry'),
  courses: await probes.outboxTop(network.coursesDb, 'courses'),
});

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
      `ANALYZE of the databases every ${settings.analyzeMs / 1000} s (a what-if; server autovacuum ${autovacuum})`,
    );
  } else if (autovacuum !== 'on')
    say(
      `note: this server runs with autovacuum ${autovacuum}: tables that grow during an import are never analyzed`,
    );

  const mark = await eventMark(network, signal);
  const school = await createThroughGateway(network, '/registry/v1/organisations', {
    name: 'МБОУ «Лицей № 1» (bench)',
    kind: 'school',
  });
  const connection = await createThroughGateway(network, '/lms-bridge/v1/connections', {
    organisationId: school.id,
    connector: 'oneroster',
  });
  await waitSettled(network, mark, 60_000, signal); // the school's event, before anything is measured
  const job = {
    orgId: school.id,
    connectionId: connection.id,
    zip: zip.data,
    targets,
    timeoutMs: settings.timeoutMs,
    signal,
  };

  // First import: everything is new.
  const first = await importOnce(network, { ...job, label: 'import 1' });
  const t = first.times;
  const run1 = first.run;
  if (!t || !run1) {
    say(`import 1 NOT done: ${first.timedOut}`);
    await explain(network, 'import 1 so far', first, true);
    say(`lms-bridge peak RSS ${mb(first.memory.get('lms-bridge')?.peakRss)}`);
    return 1;
  }
  say(
    `import 1 done: run succeeded ${sec(t.runSucceeded)}, registry ${sec(t.registry)}, courses ${sec(t.courses)}; ` +
      `end to end ${sec(t.all)}`,
  );
  const settled = await waitSettled(network, mark, settings.timeoutMs, signal);
  say(`every follow-on event handled ${sec(settled)} later (read models, enrollment events)`);
  await explain(network, 'import 1', first, true);

  // Second import of the same zip: nothing may change, no change event may reach registry or courses.
  const before = await outboxTops(network);
  const second = await importOnce(network, { ...job, label: 'import 2' });
  if (second.times) await waitSettled(network, mark, 120_000, signal);
  else say(`import 2 NOT done: ${second.timedOut}`);
  const after = await outboxTops(network);
  const { rows: bridgeFacts } = await network.bridgeDb.query<{ n: string }>(
    `select count(*) as n from lms_bridge.outbox where data->>'runId' = $1 and type like 'mathnet.lms.%.synced'`,
    [second.runId],
  );
  const changeEvents = {
    registry: after.registry - before.registry,
    courses: after.courses - before.courses,
    bridge: Number(bridgeFacts[0]?.n),
  };
  await explain(network, 'import 2', second, false);

  // Summary.
  const bridge = [first, second].map((f) => f.memory.get('lms-bridge'));
  const peak = Math.max(...bridge.map((m) => m?.peakRss ?? 0));
  say('');
  say(
    importsTable(
      [
        ['import 1', first],
        ['import 2', second],
      ],
      rows,
    ),
  );
  say(`rows = users ${c.users} + enrollments ${c.enrollments} + classes ${c.classes} = ${rows}`);
  say(`import 1 counts: ${countsLine(run1.counts)} (expected created ${created})`);
  say(`import 2 counts: ${second.run ? countsLine(second.run.counts) : 'run not finished'}`);
  say(
    `change events after import 2: registry ${changeEvents.registry}, courses ${changeEvents.courses}, ` +
      `bridge fact batches ${changeEvents.bridge}`,
  );
  say(
    `lms-bridge peak RSS ${mb(peak)} (VmHWM since its start ${mb(bridge[1]?.hwm)}); ` +
      `registry peak ${mb(first.memory.get('registry')?.peakRss)}, courses peak ${mb(first.memory.get('courses')?.peakRss)}`,
  );
  const problems: string[] = [];
  if (run1.counts.created !== created || run1.counts.failed !== 0)
    problems.push(`import 1 counts ${countsLine(run1.counts)}, expected created ${created}, failed 0`);
  const c2 = second.run?.counts;
  if (!c2) problems.push('import 2 did not finish');
  else if (c2.created + c2.updated + c2.deactivated + c2.failed !== 0)
    problems.push(`import 2 changed: ${countsLine(c2)}`);
  if (changeEvents.registry + changeEvents.courses + changeEvents.bridge !== 0)
    problems.push('import 2 sent change events');
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  if (scale === 1) {
    const { seconds, rssMb, secondSeconds } = settings.target;
    const secondOk = second.times !== undefined && second.times.all <= secondSeconds * 1000;
    say(
      `target: end to end ≤ ${seconds} s ${verdict(t.all <= seconds * 1000)}; bridge peak RSS ≤ ${rssMb} MB ` +
        `${verdict(peak <= rssMb * 1024 * 1024)}; second import ≤ ${secondSeconds} s with zero changes ` +
        `${verdict(secondOk && problems.length === 0)}`,
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
