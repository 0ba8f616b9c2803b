import { TableStatistics } from '@mathnet/db';
import { expect } from 'chai';
import { sql } from 'drizzle-orm';
import { items, type MigratedDatabase, openMigratedDatabase } from './support';

describe('TableStatistics', () => {
  let database: MigratedDatabase;

  before(async () => {
    database = await openMigratedDatabase('db-stats');
  });
  after(async () => {
    await database?.close();
  });

  const addItems = async (from: number, count: number) => {
    const rows = Array.from({ length: count }, (_, i) => ({ name: `item-${from + i}` }));
    await database.handle.db.insert(items).values(rows);
  };
  /** What the planner believes the table holds (-1 or 0 before any ANALYZE). */
  const plannerRows = async () => {
    const { rows } = await database.handle.db.execute<{ n: number | string }>(
      sql`select reltuples::float8 as n from pg_class where oid = 'dbtest.items'::regclass`,
    );
    return Number(rows[0]?.n);
  };

  it('analyzes once the rows written reach what the table held at the last ANALYZE', async () => {
    const stats = new TableStatistics(database.handle.db, ['dbtest.items'], 10);
    await addItems(0, 12);
    await stats.wrote(12); // >= minGrowth 10: analyzed
    expect(await plannerRows()).to.equal(12);

    await addItems(12, 6);
    await stats.wrote(6); // 6 < 12 (the table's size then): not yet
    expect(await plannerRows()).to.equal(12);

    await addItems(18, 6);
    await stats.wrote(6); // 12 written since: analyzed again
    expect(await plannerRows()).to.equal(24);
  });

  it('refuses a table name that is not schema-qualified', () => {
    expect(() => new TableStatistics(database.handle.db, ['items; drop table x'])).to.throw(/schema\.table/);
  });
});
