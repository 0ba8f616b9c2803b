import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createDatabase, pgErrorCode, runMigrations } from '@mathnet/db';
import { createTestDatabase, type TestDatabase } from '@mathnet/testkit';
import { expect } from 'chai';
import { eq, sql } from 'drizzle-orm';
import { items, logger, migrationsFolder } from './support';

/** The fixture schema's migrations (test/fixtures/migrations), each applied exactly once. */
const fixtureMigrations = readdirSync(migrationsFolder).filter((f) => f.endsWith('.sql')).length;

describe('createDatabase', () => {
  it('opens an in-memory PGlite for pglite://memory', async () => {
    const handle = await createDatabase('pglite://memory', { logger });
    try {
      expect(handle.kind).to.equal('pglite');
      await handle.ping();
      const result = await handle.db.execute<{ answer: number }>(sql`select 41 + 1 as answer`);
      expect(result.rows[0]?.answer).to.equal(42);
    } finally {
      await handle.close();
    }
  });

  it('creates a PGlite directory that keeps its data across close and reopen', async function () {
    this.timeout(30_000);
    const parent = mkdtempSync(join(tmpdir(), 'mathnet-db-'));
    const dir = join(parent, 'nested', 'data');
    try {
      // Relative to the working directory first, then the same directory by its absolute path.
      const first = await createDatabase(`pglite://${relative(process.cwd(), dir)}`, { logger });
      await runMigrations(first, { schema: 'dbtest', migrationsFolder });
      await first.db.insert(items).values({ name: 'kept', quantity: 3 });
      await first.close();

      const second = await createDatabase(`pglite://${dir}`, { logger });
      try {
        await runMigrations(second, { schema: 'dbtest', migrationsFolder });
        const rows = await second.db.select().from(items).where(eq(items.name, 'kept'));
        expect(rows.map((row) => row.quantity)).to.deep.equal([3]);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  describe('on a PostgreSQL server', () => {
    let testDb: TestDatabase;

    before(async function () {
      testDb = await createTestDatabase('db-create');
      if (!testDb.url.startsWith('postgres')) {
        this.skip(); // no TEST_DATABASE_URL and no container engine: only the embedded database here
      }
    });

    after(async () => {
      await testDb?.close();
    });

    for (const scheme of ['postgres', 'postgresql']) {
      it(`opens a pg pool for ${scheme}://`, async () => {
        const url = testDb.url.replace(/^postgres(ql)?:/, `${scheme}:`);
        const handle = await createDatabase(url, { logger, poolMax: 2 });
        try {
          expect(handle.kind).to.equal('postgres');
          await handle.ping();
          const result = await handle.db.execute<{ db: string }>(sql`select current_database() as db`);
          expect(result.rows[0]?.db).to.equal(new URL(testDb.url).pathname.slice(1));
        } finally {
          await handle.close();
        }
      });
    }

    it('lets two replicas run migrations at the same time', async () => {
      const [a, b] = await Promise.all([
        createDatabase(testDb.url, { logger }),
        createDatabase(testDb.url, { logger }),
      ]);
      try {
        await Promise.all([
          runMigrations(a, { schema: 'dbtest', migrationsFolder }),
          runMigrations(b, { schema: 'dbtest', migrationsFolder }),
        ]);
        const applied = await a.db.execute(sql`select hash from dbtest.__drizzle_migrations`);
        expect(applied.rows, 'each migration applied once').to.have.length(fixtureMigrations);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });
  });

  it('rejects an unknown scheme, naming it', async () => {
    let error: unknown;
    try {
      await createDatabase('mysql://localhost/x', { logger });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message).to.contain('"mysql:"');
  });
});

describe('runMigrations', () => {
  let testDb: TestDatabase;

  before(async () => {
    testDb = await createTestDatabase('db-migrate');
  });

  after(async () => {
    await testDb.close();
  });

  it('creates the schema and its tables, and can run again', async () => {
    const handle = await createDatabase(testDb.url, { logger });
    try {
      await runMigrations(handle, { schema: 'dbtest', migrationsFolder });
      await runMigrations(handle, { schema: 'dbtest', migrationsFolder });
      const tables = await handle.db.execute<{ table_name: string }>(
        sql`select table_name from information_schema.tables where table_schema = 'dbtest' order by table_name`,
      );
      expect(tables.rows.map((row) => row.table_name)).to.deep.equal([
        '__drizzle_migrations',
        'idempotency_keys',
        'inbox',
        'items',
        'outbox',
      ]);
      const applied = await handle.db.execute(sql`select hash from dbtest.__drizzle_migrations`);
      expect(applied.rows).to.have.length(fixtureMigrations);

      // And the SQLSTATE of a real unique violation comes through drizzle's wrapping.
      await handle.db.insert(items).values({ name: 'twice' });
      let error: unknown;
      try {
        await handle.db.insert(items).values({ name: 'twice' });
      } catch (caught) {
        error = caught;
      }
      expect(pgErrorCode(error)).to.equal('23505');
    } finally {
      await handle.close();
    }
  });
});
