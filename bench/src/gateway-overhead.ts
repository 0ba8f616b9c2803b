/**
 * `npm run bench`: what the gateway costs. Starts registry and the gateway in
 * distributed mode (separate processes on PostgreSQL, RabbitMQ and Redis), then
 * loads the same authenticated list request through the gateway
 * (`GET /api/registry/v1/organisations`) and directly on registry
 * (`GET /v1/organisations`), in the order gateway, direct, direct, gateway, and
 * prints requests/s, p50 and p99 for each and the throughput ratio gateway/direct.
 *
 * Environment: TEST_DATABASE_URL, TEST_AMQP_URL, TEST_REDIS_URL (defaults: the local
 * servers), BENCH_DURATION_SECONDS (10), BENCH_CONNECTIONS (50). A fresh database is
 * created for the run and dropped after it.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import {
  createScratchDatabase,
  type DistributedNetwork,
  passwordToken,
  type ScratchDatabase,
  startDistributed,
} from '@mathnet/e2e';
import { type LoadRun, loadRun, stopCurrentRun } from './load-run';
import { formatReport, summarise } from './overhead-report';

const settings = {
  databaseServer: process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  amqpUrl: process.env.TEST_AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672',
  redisUrl: process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379',
  durationSeconds: Number(process.env.BENCH_DURATION_SECONDS || 10),
  connections: Number(process.env.BENCH_CONNECTIONS || 50),
  organisations: 20,
  warmUpSeconds: 3,
  targetRatio: 0.8,
};

const say = (line: string) => process.stdout.write(`${line}\n`);
// Load, services and the load generator share this machine's CPUs: the figures only mean something on a quiet one.
const machine = () =>
  `${availableParallelism()} CPUs, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;

let database: ScratchDatabase | undefined;
let network: DistributedNetwork | undefined;
let cleaning: Promise<void> | undefined;

/** Stops both processes and drops the database, once, whatever happened before. */
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    await network?.stop().catch((error: unknown) => say(`stopping the services failed: ${String(error)}`));
    await database
      ?.drop()
      .catch((error: unknown) => say(`dropping ${database?.name} failed: ${String(error)}`));
  })();
  return cleaning;
}

process.once('SIGINT', () => {
  say('interrupted: stopping the services and dropping the database');
  stopCurrentRun();
  void cleanUp().then(() => process.exit(130));
});

async function createOrganisations(registryUrl: string, token: string): Promise<void> {
  for (let i = 1; i <= settings.organisations; i += 1) {
    const res = await fetch(`${registryUrl}/v1/organisations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `Школа №${i}`, kind: 'school' }),
    });
    if (res.status !== 201)
      throw new Error(`creating organisation ${i} answered ${res.status}: ${await res.text()}`);
  }
}

async function main(): Promise<number> {
  say(
    `gateway overhead bench: ${settings.connections} connections, ${settings.durationSeconds} s per run; ${machine()}`,
  );
  database = await createScratchDatabase(settings.databaseServer, 'bench_registry');
  const adminEmail = 'bench-admin@mathnet.local';
  const adminPassword = `bench-${randomBytes(12).toString('hex')}`;
  network = await startDistributed({
    databaseUrl: database.url,
    amqpUrl: settings.amqpUrl,
    redisUrl: settings.redisUrl,
    adminEmail,
    adminPassword,
    // Request logs are debug-level; warn keeps the processes' own logging out of the figures.
    logLevel: 'warn',
    // One token makes every request one client: lift its per-minute budget above what the bench sends.
    gatewayEnv: { RATE_LIMIT_PER_MINUTE: '100000000' },
  });
  say(
    `registry ${network.registry.url} (pid ${network.registry.pid}), gateway ${network.gateway.url} (pid ${network.gateway.pid})`,
  );

  const token = await passwordToken(`${network.gateway.url}/api/auth/token`, adminEmail, adminPassword);
  await createOrganisations(network.registry.url, token);
  const headers = { authorization: `Bearer ${token}` };
  const registryPid = network.registry.pid;
  const gatewayPid = network.gateway.pid;
  const targets = {
    gateway: `${network.gateway.url}/api/registry/v1/organisations`,
    direct: `${network.registry.url}/v1/organisations`,
  } as const;
  const run = (label: keyof typeof targets, durationSeconds: number) =>
    loadRun({
      label,
      url: targets[label],
      headers,
      connections: settings.connections,
      durationSeconds,
      // CPU per request of the processes on the request's path.
      watch: label === 'gateway' ? { gateway: gatewayPid, registry: registryPid } : { registry: registryPid },
    });

  for (const label of ['gateway', 'direct'] as const) {
    const warm = await run(label, settings.warmUpSeconds);
    if (warm.failures > 0) throw new Error(`warm-up against ${label} had ${warm.failures} failed requests`);
  }
  const runs: LoadRun[] = [];
  // ABBA: drift over time (JIT, caches, the machine) weighs on both targets alike.
  for (const label of ['gateway', 'direct', 'direct', 'gateway'] as const) {
    const result = await run(label, settings.durationSeconds);
    say(
      `  ${label}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms`,
    );
    runs.push(result);
  }
  say('');
  say(formatReport(runs, ['gateway', 'direct'], settings.targetRatio));
  const gatewayCpu = summarise(runs).find((t) => t.label === 'gateway')?.cpuMsPerRequest;
  if (gatewayCpu?.gateway !== undefined && gatewayCpu.registry !== undefined) {
    // Where the processes share fewer cores than they could use, throughput follows CPU per request.
    say(
      `the gateway spends ${(gatewayCpu.gateway * 1000).toFixed(0)} µs of CPU per request, ` +
        `${((100 * gatewayCpu.gateway) / gatewayCpu.registry).toFixed(0)} % of what registry spends serving it`,
    );
  }
  say(`(after the runs: ${machine()})`);
  const failures = runs.reduce((sum, r) => sum + r.failures, 0);
  if (failures > 0) {
    say(`\n${failures} requests failed (non-2xx, errors or timeouts): the figures are not valid`);
    return 1;
  }
  return 0;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  say(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  if (network) say(network.output().slice(-4000));
} finally {
  await cleanUp();
}
process.exit(code);
