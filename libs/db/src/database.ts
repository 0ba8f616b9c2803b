import { mkdirSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { Logger } from '@mathnet/kit';
import { sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite, type PgliteDatabase } from 'drizzle-orm/pglite';
import pg from 'pg';

/**
 * What `db.execute(sql\`…\`)` resolves to on both drivers (pg's `QueryResult`, PGlite's
 * `Results`): the rows, typed by `execute<Row>()`.
 */
export interface DbQueryResultHKT extends PgQueryResultHKT {
  type: DbQueryResult<this['row']>;
}

/** The part of a raw query result both drivers share. */
export interface DbQueryResult<Row> {
  rows: Row[];
}

/**
 * The drizzle database type common to `drizzle-orm/node-postgres` and `drizzle-orm/pglite`:
 * write queries against this and they run on both drivers.
 */
export type Db = PgDatabase<DbQueryResultHKT, Record<string, never>>;

/** The transaction a `db.transaction()` callback receives; same query API as {@link Db}. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** An open database: the drizzle handle plus what a process needs to check and close it. */
export interface DatabaseHandle {
  db: Db;
  /** Which engine is behind `db`: a PostgreSQL server (pg Pool) or embedded PGlite. */
  kind: 'postgres' | 'pglite';
  /** Resolves when the database answers a query (readiness check). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface CreateDatabaseOptions {
  logger: Logger;
  /** Pool size for `postgres://` (default 10); ignored by PGlite, which has one connection. */
  poolMax?: number;
}

/** One connection of a handle, with its driver-specific drizzle database. */
export type SingleConnection =
  | { kind: 'postgres'; db: NodePgDatabase }
  | { kind: 'pglite'; db: PgliteDatabase };

/** Runs `work` on one connection (session-level advisory locks need that). */
export type WithSingleConnection = <T>(work: (connection: SingleConnection) => Promise<T>) => Promise<T>;

/**
 * How {@link runMigrations} gets a single connection of a handle made by {@link createDatabase};
 * a WeakMap so the public handle stays a plain, small interface.
 */
export const singleConnectionOf = new WeakMap<DatabaseHandle, WithSingleConnection>();

/**
 * Opens a database picked by URL scheme:
 * - `postgres://…` / `postgresql://…`: a pg Pool (max `poolMax`, default 10), connected lazily;
 * - `pglite://memory`: an in-memory PGlite (tests);
 * - `pglite://<dir>`: a PGlite data directory, relative to the working directory or absolute,
 *   created when missing. PGlite does not lock the directory: one process per directory.
 */
export async function createDatabase(url: string, options: CreateDatabaseOptions): Promise<DatabaseHandle> {
  const { logger } = options;
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    return openPostgres(url, logger, options.poolMax ?? 10);
  }
  if (url.startsWith('pglite://')) {
    const target = url.slice('pglite://'.length);
    if (target === '') throw new Error(`database URL ${url} names no PGlite directory (use pglite://memory)`);
    return openPglite(target === 'memory' ? undefined : target, logger);
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
  throw new Error(
    `unsupported database URL scheme ${scheme ? `"${scheme}:"` : `in "${url}"`}; expected postgres://, postgresql:// or pglite://`,
  );
}

function openPostgres(url: string, logger: Logger, max: number): DatabaseHandle {
  const pool = new pg.Pool({ connectionString: url, max });
  // An idle client losing its connection emits 'error' on the pool; unhandled, it would kill the process.
  pool.on('error', (error) => logger.warn({ err: error }, 'database: idle PostgreSQL connection failed'));
  const db: Db = drizzleNodePg(pool);
  const handle: DatabaseHandle = {
    db,
    kind: 'postgres',
    ping: async () => {
      await pool.query('select 1');
    },
    close: () => pool.end(),
  };
  singleConnectionOf.set(handle, async (work) => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      return await work({ kind: 'postgres', db: drizzleNodePg(client) });
    } catch (error) {
      broken = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      // Releasing with an error destroys the connection, so no session state (locks) survives it.
      client.release(broken);
    }
  });
  const target = new URL(url);
  logger.info(
    { kind: 'postgres', host: target.host, database: target.pathname.slice(1), poolMax: max },
    `database: PostgreSQL pool for ${target.host}${target.pathname} (max ${max} connections)`,
  );
  return handle;
}

async function openPglite(dir: string | undefined, logger: Logger): Promise<DatabaseHandle> {
  let client: PGlite;
  // The contrib extensions services may CREATE in their migrations (a PostgreSQL server ships them in contrib).
  const extensions = { pg_trgm };
  if (dir === undefined) {
    client = new PGlite({ extensions });
  } else {
    const path = isAbsolute(dir) ? dir : resolve(process.cwd(), dir);
    mkdirSync(path, { recursive: true });
    client = new PGlite(path, { extensions });
  }
  await client.waitReady;
  const pgliteDb = drizzlePglite(client);
  const db: Db = pgliteDb;
  const handle: DatabaseHandle = {
    db,
    kind: 'pglite',
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: () => client.close(),
  };
  // PGlite is a single connection already.
  singleConnectionOf.set(handle, (work) => work({ kind: 'pglite', db: pgliteDb }));
  const where = dir === undefined ? 'in memory' : `at ${resolve(process.cwd(), dir)}`;
  logger.info({ kind: 'pglite', dataDir: dir ?? 'memory' }, `database: embedded PGlite ${where}`);
  return handle;
}
