import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  createScratchDatabase,
  freePort,
  passwordToken,
  type SpawnedService,
  spawnService,
} from '@mathnet/e2e';
import pg from 'pg';
import type { CleanupStack } from './bench-run';
import { clearStaleQueues } from './lms-queues';
import { createScratchVhost } from './scratch-vhost';

/** Where the servers are, and how to label what the run creates. */
export interface LmsNetworkOptions {
  /** Any database of the PostgreSQL server, e.g. `postgres://postgres@127.0.0.1:5432/postgres`. */
  databaseServer: string;
  amqpUrl: string;
  /** Prefix of the scratch databases and vhost, e.g. `bench_lms`. */
  label: string;
  /** Largest import the bridge and the gateway take, MB. */
  maxImportMb: number;
  say(line: string): void;
}

/** The four processes of an LMS import, and pools on the three databases. */
export interface LmsNetwork {
  registry: SpawnedService;
  courses: SpawnedService;
  bridge: SpawnedService;
  gateway: SpawnedService;
  /** A bearer token of the network administrator (password grant through the gateway). */
  adminToken: string;
  registryDb: pg.Pool;
  coursesDb: pg.Pool;
  bridgeDb: pg.Pool;
  /** The AMQP URL the services use (a scratch vhost, or the shared one). */
  busUrl: string;
  /** `scratch vhost <name>` or `shared vhost (stale queues purged)`. */
  busNote: string;
  /** The captured output of every process, for a failure report. */
  output(): string;
}

/** `BENCH_LMS_PROFILE_DIR=/tmp/prof`: a CPU profile of registry, courses and the bridge each (see lms-profiler). */
const profileDir = process.env.BENCH_LMS_PROFILE_DIR;
const profiler = fileURLToPath(new URL('./lms-profiler.ts', import.meta.url));

/** `BENCH_LMS_LOG_SQL_MS=20`: the server logs every statement of the bench's databases slower than that (diagnosis). */
const slowSqlMs = process.env.BENCH_LMS_LOG_SQL_MS ? Number(process.env.BENCH_LMS_LOG_SQL_MS) : undefined;

async function logSlowStatements(url: string, name: string, ms: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // The name is made of [a-z0-9_] only (createScratchDatabase), so quoting it is enough.
    await client.query(
      `alter database "${name}" set log_min_duration_statement = ${Math.max(0, Math.floor(ms))}`,
    );
  } finally {
    await client.end();
  }
}

function pool(url: string, cleanup: CleanupStack, name: string): pg.Pool {
  const db = new pg.Pool({ connectionString: url, max: 2 });
  db.on('error', () => undefined); // the database is dropped with FORCE at the end
  cleanup.add(`closing the ${name} pool`, () => db.end());
  return db;
}

/**
 * Starts what an LMS import touches, in distributed mode: a scratch database each for
 * registry, courses and lms-bridge, a scratch RabbitMQ vhost (or, where none can be
 * made, the shared one with the queues of these services purged), then registry,
 * courses, lms-bridge and the gateway in front of them as processes, all logging at
 * warn. Every step registers its undo on `cleanup`.
 */
export async function startLmsNetwork(
  options: LmsNetworkOptions,
  cleanup: CleanupStack,
): Promise<LmsNetwork> {
  const { say, label } = options;
  const vhost = await createScratchVhost(options.amqpUrl, label, say);
  cleanup.add(`deleting vhost ${vhost.name}`, () => vhost.drop());
  let busNote = `scratch vhost ${vhost.name}`;
  if (!vhost.name) {
    const purged = await clearStaleQueues(vhost.url, ['registry.', 'courses.', 'lms-bridge.']);
    busNote = `shared vhost (${purged} stale messages purged)`;
  }
  const databases = {} as Record<'registry' | 'courses' | 'bridge', string>;
  for (const name of ['registry', 'courses', 'bridge'] as const) {
    const db = await createScratchDatabase(options.databaseServer, `${label}_${name}`);
    if (process.env.BENCH_KEEP_DATABASE === '1')
      cleanup.add(`keeping ${db.name}`, async () => say(`kept ${db.url}`));
    else cleanup.add(`dropping ${db.name}`, () => db.drop());
    databases[name] = db.url;
    if (slowSqlMs !== undefined) await logSlowStatements(db.url, db.name, slowSqlMs);
  }
  say(`databases made; ${busNote}`);

  const adminEmail = 'bench-admin@mathnet.local';
  const adminPassword = `bench-${randomBytes(12).toString('hex')}`;
  const spawned: SpawnedService[] = [];
  const output = () =>
    spawned.map((s) => `--- ${s.name} (last 4 kB) ---\n${s.output().slice(-4000)}`).join('\n');
  const start = async (name: string, entry: string, env: Record<string, string>, profile = true) => {
    const service = await spawnService({
      name,
      entry,
      port: await freePort(),
      env: { BUS_URL: vhost.url, LOG_LEVEL: 'warn', BENCH_LMS_PROFILE_NAME: name, ...env },
      ...(profileDir && profile ? { preload: [profiler] } : {}),
    });
    spawned.push(service);
    cleanup.add(`stopping ${name}`, () => service.stop());
    return service;
  };
  try {
    const registry = await start('registry', 'services/registry/src/main.ts', {
      DATABASE_URL: databases.registry,
      MATHNET_ADMIN_EMAIL: adminEmail,
      MATHNET_ADMIN_PASSWORD: adminPassword,
      // Two imports and their settling can outlast the default 15 minutes.
      ACCESS_TOKEN_TTL_SECONDS: '7200',
    });
    const courses = await start('courses', 'services/courses/src/main.ts', {
      DATABASE_URL: databases.courses,
      REGISTRY_URL: registry.url,
    });
    const bridge = await start('lms-bridge', 'services/lms-bridge/src/main.ts', {
      DATABASE_URL: databases.bridge,
      REGISTRY_URL: registry.url,
      MATHNET_SECRETS_KEY: randomBytes(32).toString('base64'),
      MAX_IMPORT_MB: String(options.maxImportMb),
      // The heap cap the bridge is deployed with (docker-compose.yml, docs/operators.md).
      NODE_OPTIONS: '--max-old-space-size=256',
    });
    const gateway = await start(
      'gateway',
      'gateway/src/main.ts',
      {
        REGISTRY_URL: registry.url,
        SERVICE_URLS: `courses=${courses.url},lms-bridge=${bridge.url}`,
        REDIS_URL: 'memory://',
        // One token makes every request one client: lift its per-minute budget above what the bench sends.
        RATE_LIMIT_PER_MINUTE: '100000000',
        MAX_IMPORT_MB: String(options.maxImportMb),
      },
      false,
    );
    say(
      `registry pid ${registry.pid}, courses pid ${courses.pid}, lms-bridge pid ${bridge.pid}, ` +
        `gateway ${gateway.url} pid ${gateway.pid}`,
    );
    const adminToken = await passwordToken(`${gateway.url}/api/auth/token`, adminEmail, adminPassword);
    return {
      registry,
      courses,
      bridge,
      gateway,
      adminToken,
      registryDb: pool(databases.registry, cleanup, 'registry'),
      coursesDb: pool(databases.courses, cleanup, 'courses'),
      bridgeDb: pool(databases.bridge, cleanup, 'lms-bridge'),
      busUrl: vhost.url,
      busNote,
      output,
    };
  } catch (error) {
    const text = output();
    throw text ? new Error(`${error instanceof Error ? error.message : String(error)}\n${text}`) : error;
  }
}
