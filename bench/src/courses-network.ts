import { randomBytes } from 'node:crypto';
import {
  createScratchDatabase,
  freePort,
  passwordToken,
  type SpawnedService,
  spawnService,
} from '@mathnet/e2e';
import pg from 'pg';
import type { CleanupStack } from './bench-run';
import { createScratchVhost } from './scratch-vhost';

/**
 * BENCH_COURSES_CPU_PROF=<dir> profiles the courses process: this module, preloaded with
 * `--import`, starts the V8 profiler through `node:inspector` (sampling every 0.5 ms) and
 * writes `<dir>/courses-<pid>.cpuprofile` when the process exits (the main-thread inspector
 * answers synchronously, so an `exit` listener can still stop it). Open the file in Chrome
 * DevTools or summarise it by self time.
 */
const cpuProfilePreload = `data:text/javascript,${encodeURIComponent(`
import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';
const dir = process.env.BENCH_CPU_PROF_DIR;
const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 500 });
session.post('Profiler.start');
process.on('exit', () => {
  session.post('Profiler.stop', (error, result) => {
    if (error) return;
    mkdirSync(dir, { recursive: true });
    writeFileSync(dir + '/courses-' + process.pid + '.cpuprofile', JSON.stringify(result.profile));
  });
});
`)}`;

/** Where the servers are, and how to label what the run creates. */
export interface CoursesNetworkOptions {
  /** Any database of the PostgreSQL server, e.g. `postgres://postgres@127.0.0.1:5432/postgres`. */
  databaseServer: string;
  amqpUrl: string;
  /** Prefix of the scratch databases and vhost, e.g. `bench_seats`. */
  label: string;
  /** Progress lines. */
  say(line: string): void;
}

/** Registry and courses running as processes, and what a bench needs to drive them. */
export interface CoursesNetwork {
  registry: SpawnedService;
  courses: SpawnedService;
  /** A bearer token of the network administrator, from registry's password grant. */
  adminToken: string;
  /** A pool on the courses database (seeding and checks), closed by the cleanup. */
  coursesDb: pg.Pool;
  /** `scratch vhost <name>` or `shared vhost`. */
  busNote: string;
  /** The captured output of both processes, for a failure report. */
  output(): string;
}

/**
 * Starts the distributed pair a courses bench needs: a scratch database each for
 * registry and courses, a scratch RabbitMQ vhost, registry (with a generated admin
 * password) and courses (verifying tokens with registry's JWKS), both logging at warn
 * so their logging stays out of the figures. Every step registers its undo on `cleanup`.
 */
export async function startCoursesNetwork(
  options: CoursesNetworkOptions,
  cleanup: CleanupStack,
): Promise<CoursesNetwork> {
  const { say } = options;
  const vhost = await createScratchVhost(options.amqpUrl, options.label, say);
  cleanup.add(`deleting vhost ${vhost.name}`, () => vhost.drop());
  const registryDatabase = await createScratchDatabase(options.databaseServer, `${options.label}_registry`);
  cleanup.add(`dropping ${registryDatabase.name}`, () => registryDatabase.drop());
  const coursesDatabase = await createScratchDatabase(options.databaseServer, `${options.label}_courses`);
  // BENCH_KEEP_DATABASE=1 keeps the seeded courses database for EXPLAIN by hand (drop it yourself).
  if (process.env.BENCH_KEEP_DATABASE === '1')
    cleanup.add('keeping the courses database', async () => say(`kept ${coursesDatabase.url}`));
  else cleanup.add(`dropping ${coursesDatabase.name}`, () => coursesDatabase.drop());
  say(
    `databases ${registryDatabase.name}, ${coursesDatabase.name}; ${vhost.name ? `vhost ${vhost.name}` : 'shared vhost'}`,
  );

  const adminEmail = 'bench-admin@mathnet.local';
  const adminPassword = `bench-${randomBytes(12).toString('hex')}`;
  const outputs: SpawnedService[] = [];
  const output = () =>
    outputs.map((s) => `--- ${s.name} (last 4 kB) ---\n${s.output().slice(-4000)}`).join('\n');
  try {
    const registry = await spawnService({
      name: 'registry',
      entry: 'services/registry/src/main.ts',
      port: await freePort(),
      env: {
        DATABASE_URL: registryDatabase.url,
        BUS_URL: vhost.url,
        MATHNET_ADMIN_EMAIL: adminEmail,
        MATHNET_ADMIN_PASSWORD: adminPassword,
        // The measured rounds and their seeding can outlast the default 15 minutes.
        ACCESS_TOKEN_TTL_SECONDS: '7200',
        LOG_LEVEL: 'warn',
      },
    });
    outputs.push(registry);
    cleanup.add('stopping registry', () => registry.stop());
    const courses = await spawnService({
      name: 'courses',
      entry: 'services/courses/src/main.ts',
      port: await freePort(),
      env: {
        DATABASE_URL: coursesDatabase.url,
        BUS_URL: vhost.url,
        REGISTRY_URL: registry.url,
        LOG_LEVEL: 'warn',
        // A diagnostic knob for flags NODE_OPTIONS allows (e.g. `--max-old-space-size=512`);
        // Node 20 refuses `--cpu-prof` there, hence BENCH_COURSES_CPU_PROF below.
        ...(process.env.BENCH_COURSES_NODE_OPTIONS
          ? { NODE_OPTIONS: process.env.BENCH_COURSES_NODE_OPTIONS }
          : {}),
        ...(process.env.BENCH_COURSES_CPU_PROF
          ? { BENCH_CPU_PROF_DIR: process.env.BENCH_COURSES_CPU_PROF }
          : {}),
      },
      ...(process.env.BENCH_COURSES_CPU_PROF ? { preload: [cpuProfilePreload] } : {}),
    });
    outputs.push(courses);
    cleanup.add('stopping courses', () => courses.stop());
    say(`registry ${registry.url} (pid ${registry.pid}), courses ${courses.url} (pid ${courses.pid})`);

    const coursesDb = new pg.Pool({ connectionString: coursesDatabase.url, max: 4 });
    coursesDb.on('error', () => undefined); // the database is dropped with FORCE at the end
    cleanup.add('closing the seeding pool', () => coursesDb.end());

    const adminToken = await passwordToken(`${registry.url}/auth/token`, adminEmail, adminPassword);
    // One authenticated request proves courses reaches registry's JWKS before anything is measured.
    const probe = await fetch(`${courses.url}/v1/offerings?limit=1`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    if (probe.status !== 200)
      throw new Error(
        `courses refused the admin token: ${probe.status} ${(await probe.text()).slice(0, 300)}`,
      );
    return {
      registry,
      courses,
      adminToken,
      coursesDb,
      busNote: vhost.name ? `scratch vhost ${vhost.name}` : 'shared vhost',
      output,
    };
  } catch (error) {
    const text = output();
    throw text ? new Error(`${error instanceof Error ? error.message : String(error)}\n${text}`) : error;
  }
}
