import type { Db } from '@mathnet/db';
import { sql } from 'drizzle-orm';
import { analyzeMappings } from '../store/mapping-store';

/**
 * Keeps the planner's statistics of the mapping table current while a run
 * fills it: ANALYZE when the run starts, then whenever the run has written as
 * many mappings again as the table had at the last ANALYZE (at least
 * `minGrowth`). A server may run with autovacuum off, and a look-up by id in a
 * table the planner believes empty turns into a scan of the whole table.
 */
export class MappingStats {
  private written = 0;
  private threshold: number;

  constructor(
    private readonly db: Db,
    private readonly minGrowth = 20_000,
  ) {
    this.threshold = minGrowth;
  }

  /** ANALYZE now; the next one is due when the table has grown by what it holds. */
  async refresh(): Promise<void> {
    await analyzeMappings(this.db);
    const { rows } = await this.db.execute<{ n: number | string }>(
      sql`select reltuples::float8 as n from pg_class where oid = 'lms_bridge.mappings'::regclass`,
    );
    this.threshold = Math.max(this.minGrowth, Number(rows[0]?.n ?? 0));
    this.written = 0;
  }

  /** Counts mappings the run wrote; refreshes when due. */
  async wrote(n: number): Promise<void> {
    this.written += n;
    if (this.written >= this.threshold) await this.refresh();
  }
}
