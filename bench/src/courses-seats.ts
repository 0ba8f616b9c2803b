/**
 * `npm run bench:courses` (first half): how many seats courses hands out per second
 * under contention, and that it never overbooks. Starts registry and courses as
 * processes (distributed mode: PostgreSQL, RabbitMQ), seeds the courses database by
 * SQL (organisations, students, published offerings of capacity 10, a quarter with a
 * per-school quota, 25 approved enrollments each), then 50 clients POST
 * `/v1/enrollments/{id}/accept` as the network administrator, every enrollment once.
 * Prints accepts/s and latency per round (median of the rounds) and the SQL checks:
 * enrolled ≤ capacity, per school ≤ quota, `enrolled_count` = enrolled rows, no seat
 * left empty while someone who could take it waits.
 *
 * Environment: TEST_DATABASE_URL, TEST_AMQP_URL (default: the local servers),
 * BENCH_CONNECTIONS (50), BENCH_ROUNDS (3), BENCH_OFFERINGS (200). Scratch databases
 * and a scratch vhost are made for the run and removed after it. To see where courses
 * spends its CPU, BENCH_COURSES_CPU_PROF=<dir> writes a V8 CPU profile of the courses
 * process there when it stops (see courses-network.ts).
 */
import { availableParallelism, loadavg } from 'node:os';
import { type BenchContext, runBench, say } from './bench-run';
import { type CoursesNetwork, startCoursesNetwork } from './courses-network';
import { type CpuSpent, cpuCeiling, startCpuMeter } from './cpu-meter';
import { formatTable, median, ms, summariseLatencies } from './latency-stats';
import { allLatencies, type PoolRequest, runPool } from './request-pool';
import { checkSeatRound, type SeatCheck, type SeatRoundShape, seedSeatRound } from './seat-round';
import { seedOrganisations, seedStudents } from './seed-people';
import { SeededRandom } from './seeded-random';

const settings = {
  databaseServer: process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  amqpUrl: process.env.TEST_AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672',
  connections: Number(process.env.BENCH_CONNECTIONS || 50),
  rounds: Number(process.env.BENCH_ROUNDS || 3),
  schools: 40,
  students: 6000,
  targetAcceptsPerSecond: 500,
};
const shape: SeatRoundShape = {
  offerings: Number(process.env.BENCH_OFFERINGS || 200),
  capacity: 10,
  requestsPerOffering: 25,
  quotaEvery: 4,
  quota: 2,
  quotaSchools: 4,
};

const machine = () =>
  `${availableParallelism()} CPUs, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;

interface RoundFigures {
  label: string;
  accepts: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  failures: number;
  answeredEnrolled: number;
  expectedEnrolled: number;
  check: SeatCheck;
  /** CPU ms per accept of courses, its PostgreSQL backends and this load generator. */
  cpuPerAccept: CpuSpent;
}

/** Waits until the relay published the previous round's events, so a round does not pay for the last one. */
async function outboxDrained(network: CoursesNetwork, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!signal.aborted) {
    const { rows } = await network.coursesDb.query<{ n: string }>(
      'select count(*) as n from courses.outbox where sent_at is null',
    );
    if (Number(rows[0]?.n) === 0) return;
    if (Date.now() > deadline)
      throw new Error(`the outbox still holds ${rows[0]?.n} unsent events after 120 s`);
    // A separate process's relay offers nothing to await; poll, bounded by the deadline.
    await new Promise((done) => setTimeout(done, 200));
  }
}

async function acceptRound(
  network: CoursesNetwork,
  label: string,
  roundShape: SeatRoundShape,
  seed: { round: number; providers: string[]; students: Awaited<ReturnType<typeof seedStudents>> },
  random: SeededRandom,
  signal: AbortSignal,
): Promise<RoundFigures> {
  const round = await seedSeatRound(
    network.coursesDb,
    seed.round,
    roundShape,
    seed.providers,
    seed.students,
    random,
  );
  await outboxDrained(network, signal);
  const queue = round.enrollmentIds.map(
    (id): PoolRequest => ({
      label: 'accept',
      method: 'POST',
      path: `/v1/enrollments/${id}/accept`,
      body: '{}',
    }),
  );
  let taken = 0;
  let answeredEnrolled = 0;
  const stopMeter = await startCpuMeter(network.courses.pid, network.coursesDb);
  const result = await runPool({
    baseUrl: network.courses.url,
    headers: { authorization: `Bearer ${network.adminToken}` },
    connections: settings.connections,
    next: () => queue[taken++],
    signal,
    check: (req, status, body) => {
      if (status !== 200) return `${req.path}: ${status} ${body.slice(0, 200)}`;
      const answered = (JSON.parse(body) as { status?: unknown }).status;
      if (answered === 'enrolled') answeredEnrolled += 1;
      else if (answered !== 'waitlisted') return `${req.path}: 200 with status ${String(answered)}`;
      return undefined;
    },
  });
  const cpu = await stopMeter();
  if (result.aborted) throw new Error('interrupted');
  for (const sample of result.failureSamples) say(`    failed: ${sample}`);
  const latency = summariseLatencies(allLatencies(result));
  return {
    label,
    accepts: result.completed,
    perSecond: result.completed / (result.elapsedMs / 1000),
    p50: latency.p50,
    p99: latency.p99,
    max: latency.max,
    failures: result.failures,
    answeredEnrolled,
    expectedEnrolled: round.expectedEnrolled,
    check: await checkSeatRound(network.coursesDb, round.offeringIds),
    cpuPerAccept: Object.fromEntries(
      Object.entries(cpu).map(([part, spent]) => [part, spent / Math.max(1, result.completed)]),
    ),
  };
}

const cpuCell = (cpu: CpuSpent) =>
  (['service', 'postgres', 'client'] as const)
    .map((part) => (cpu[part] === undefined ? '-' : ms(cpu[part])))
    .join(' / ');

const overbooked = (c: SeatCheck) => c.overCapacity + c.overQuota;

function roundRow(r: RoundFigures): string[] {
  return [
    r.label,
    String(r.accepts),
    r.perSecond.toFixed(0),
    ms(r.p50),
    ms(r.p99),
    ms(r.max),
    cpuCell(r.cpuPerAccept),
    `${r.check.enrolled}/${r.expectedEnrolled}`,
    String(r.check.waitlisted),
    String(overbooked(r.check)),
    String(r.check.countMismatch),
    String(r.check.lostSeats),
    String(r.failures),
  ];
}

async function main({ signal, cleanup }: BenchContext): Promise<number> {
  say(
    `courses seats bench: ${settings.connections} clients, ${settings.rounds} rounds of ${shape.offerings} offerings × ` +
      `${shape.requestsPerOffering} approved enrollments (capacity ${shape.capacity}, every ${shape.quotaEvery}th with ` +
      `a school quota of ${shape.quota}); ${machine()}`,
  );
  const network = await startCoursesNetwork(
    { databaseServer: settings.databaseServer, amqpUrl: settings.amqpUrl, label: 'bench_seats', say },
    cleanup,
  );
  failureOutput = network.output;
  const random = new SeededRandom(20260901);
  const orgs = await seedOrganisations(network.coursesDb, {
    schools: settings.schools,
    hubs: 10,
    partners: 5,
  });
  const students = await seedStudents(network.coursesDb, orgs.schools, settings.students, random);
  const seed = { round: 0, providers: [...orgs.schools.slice(0, 10), ...orgs.partners], students };
  say(`seeded ${orgs.schools.length + orgs.partners.length} organisations, ${students.length} students`);

  // Warm-up: JIT, connection pools and the JWKS cache, on its own offerings; checked, not counted.
  const warm = await acceptRound(network, 'warm-up', { ...shape, offerings: 20 }, seed, random, signal);
  const rounds: RoundFigures[] = [];
  for (let i = 1; i <= settings.rounds; i += 1) {
    seed.round = i;
    const r = await acceptRound(network, `round ${i}`, shape, seed, random, signal);
    say(`  ${r.label}: ${r.perSecond.toFixed(0)} accepts/s, p50 ${ms(r.p50)} ms, p99 ${ms(r.p99)} ms`);
    rounds.push(r);
  }

  const header = [
    '',
    'accepts',
    'accepts/s',
    'p50 ms',
    'p99 ms',
    'max ms',
    'CPU ms/accept courses/pg/client',
    'enrolled/expected',
    'waitlisted',
    'overbooked',
    'count≠rows',
    'lost seats',
    'failed',
  ];
  const med = (pick: (r: RoundFigures) => number) => median(rounds.map(pick));
  const medianRow = [
    `median of ${rounds.length}`,
    '',
    med((r) => r.perSecond).toFixed(0),
    ms(med((r) => r.p50)),
    ms(med((r) => r.p99)),
    '',
    cpuCell({
      service: med((r) => r.cpuPerAccept.service ?? Number.NaN),
      postgres: med((r) => r.cpuPerAccept.postgres ?? Number.NaN),
      client: med((r) => r.cpuPerAccept.client ?? Number.NaN),
    }),
    '',
    '',
    '',
    '',
    '',
    '',
  ];
  say('');
  say(formatTable(header, [roundRow(warm), '-', ...rounds.map(roundRow), '-', medianRow]));

  const all = [warm, ...rounds];
  const total = (pick: (r: RoundFigures) => number) => all.reduce((sum, r) => sum + pick(r), 0);
  const problems = {
    overbooked: total((r) => overbooked(r.check)),
    countMismatch: total((r) => r.check.countMismatch),
    lostSeats: total((r) => r.check.lostSeats),
    unsettled: total((r) => r.check.unsettled),
    answersDisagree: total((r) => Math.abs(r.answeredEnrolled - r.check.enrolled)),
    failed: total((r) => r.failures),
  };
  const rate = med((r) => r.perSecond);
  const ceiling = cpuCeiling(
    {
      service: med((r) => r.cpuPerAccept.service ?? Number.NaN),
      postgres: med((r) => r.cpuPerAccept.postgres ?? Number.NaN),
      client: med((r) => r.cpuPerAccept.client ?? Number.NaN),
    },
    availableParallelism(),
    'accept',
  );
  say('');
  if (ceiling) say(ceiling);
  say(`overbooked: ${problems.overbooked}`);
  say(
    `accepts/s (median): ${rate.toFixed(0)} (target >= ${settings.targetAcceptsPerSecond}) ` +
      `${rate >= settings.targetAcceptsPerSecond && problems.overbooked === 0 ? 'met' : 'NOT met'}`,
  );
  say(`(courses ${network.courses.url}, ${network.busNote}; after the runs: ${machine()})`);
  const bad = Object.entries(problems).filter(([, n]) => n > 0);
  if (bad.length > 0) {
    say(`\nFAILED: ${bad.map(([name, n]) => `${name} ${n}`).join(', ')}`);
    return 1;
  }
  return 0;
}

let failureOutput: (() => string) | undefined;
await runBench(main, () => failureOutput?.());
