import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A database made for one run, on a real PostgreSQL server. */
export interface ScratchDatabase {
  /** Its name, `<label>_<random>`. */
  name: string;
  /** The server URL with this database as its path. */
  url: string;
  /** Drops it, closing the connections still open to it (idempotent). */
  drop(): Promise<void>;
}

async function onServer<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates a fresh database on the server of `serverUrl` (any database of it the
 * user may connect to, e.g. `postgres://postgres@127.0.0.1:5432/postgres`).
 */
export async function createScratchDatabase(serverUrl: string, label: string): Promise<ScratchDatabase> {
  const clean = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30);
  const name = `${clean}_${randomBytes(5).toString('hex')}`;
  // The name is made of [a-z0-9_] only, so quoting it is enough.
  await onServer(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await onServer(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
