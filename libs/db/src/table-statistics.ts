import { sql } from 'drizzle-orm';
import type { Db } from './database';

const qualifiedName = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;

/**
 * Keeps the planner's statistics of tables a bulk load fills current: ANALYZE once the
 * rows written since the last ANALYZE reach what the tables held then (at least
 * `minGrowth`). Autovacuum does this on a default server, but a server may run with it
 * off or lag behind a load; the planner then believes a table of 300,000 rows holds a
 * thousand and answers a batch's look-ups with whole-table scans that grow with the table.
 */
export class TableStatistics {
  private written = 0;
  private threshold: number;
  private running: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    /** Schema-qualified names, e.g. `courses.enrollments`. */
    private readonly tables: string[],
    private readonly minGrowth = 20_000,
  ) {
    for (const table of tables)
      if (!qualifiedName.test(table)) throw new Error(`TableStatistics: not a schema.table name: ${table}`);
    this.threshold = minGrowth;
  }

  /** ANALYZE now; the next one is due when the tables have grown by what they hold. */
  async refresh(): Promise<void> {
    this.running ??= (async () => {
      for (const table of this.tables) await this.db.execute(sql.raw(`analyze ${table}`));
      const { rows } = await this.db.execute<{ n: number | string | null }>(
        sql`select sum(greatest(reltuples, 0))::float8 as n from pg_class
            where oid = any(${sql.param(this.tables)}::regclass[])`,
      );
      this.threshold = Math.max(this.minGrowth, Number(rows[0]?.n ?? 0));
      this.written = 0;
    })().finally(() => {
      this.running = undefined;
    });
    await this.running;
  }

  /** Counts rows written (outside the writing transaction); refreshes when due. */
  async wrote(rows: number): Promise<void> {
    this.written += rows;
    if (this.written >= this.threshold) await this.refresh();
  }
}
