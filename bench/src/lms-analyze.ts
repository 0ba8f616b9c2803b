import type pg from 'pg';

/** The server's `autovacuum` setting (`on`/`off`): with it off, no table of a fresh database is ever analyzed. */
export async function autovacuumSetting(db: pg.Pool): Promise<string> {
  const { rows } = await db.query<{ autovacuum: string }>('show autovacuum');
  return rows[0]?.autovacuum ?? 'unknown';
}

/**
 * `ANALYZE` of each database every `everyMs`, one at a time, until the returned stop is
 * called: what the autovacuum daemon's autoanalyze would do on a server where it runs
 * (a what-if for servers with autovacuum off; tables that grow from nothing during an
 * import otherwise keep the planner's guesses for empty tables).
 */
export function analyzeEvery(databases: pg.Pool[], everyMs: number): () => Promise<void> {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(async () => {
      for (const db of databases) if (!stopped) await db.query('analyze').catch(() => undefined);
    });
  }, everyMs);
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
