import pg from 'pg';
import { containerEngineAnswers, logChoiceOnce, sharedContainer, uniqueSuffix } from './infra-choice';

/** A database for one test file. */
export interface TestDatabase {
  /** `postgres://…/t_<label>_<random>` on a real server, or `pglite://memory`. */
  url: string;
  /** Drops the database (no-op for the embedded one). */
  close(): Promise<void>;
}

async function serverUrl(): Promise<{ url: string; choice: string } | undefined> {
  const fromEnv = process.env.TEST_DATABASE_URL;
  if (fromEnv) return { url: fromEnv, choice: 'TEST_DATABASE_URL' };
  if (await containerEngineAnswers()) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await sharedContainer('postgres', () =>
      new PostgreSqlContainer('postgres:16-alpine').start(),
    );
    const host = container.getHost();
    const port = container.getMappedPort(5432);
    return { url: `postgres://test:test@${host}:${port}/test`, choice: 'testcontainers' };
  }
  return undefined;
}

/**
 * A fresh, isolated database for one test file: a new database on the server
 * from TEST_DATABASE_URL (or a testcontainers PostgreSQL), else an in-memory PGlite.
 */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const server = await serverUrl();
  if (!server) {
    logChoiceOnce('database', 'pglite', 'no TEST_DATABASE_URL and no container engine');
    return { url: 'pglite://memory', close: async () => {} };
  }
  logChoiceOnce('database', 'postgres', server.choice);
  const name = `t_${uniqueSuffix(label)}`;
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    close: async () => {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
