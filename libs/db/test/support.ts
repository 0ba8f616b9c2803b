import { fileURLToPath } from 'node:url';
import type { CloudEvent } from '@mathnet/contracts';
import { createDatabase, type DatabaseHandle, runMigrations } from '@mathnet/db';
import { createLogger, type Logger } from '@mathnet/kit';
import { createTestDatabase, type TestDatabase } from '@mathnet/testkit';
import { sql } from 'drizzle-orm';

export { idempotencyKeys, inbox, items, outbox } from './fixtures/schema';

/** Quiet by default; LOG_LEVEL=debug shows what the relay does. */
export const logger: Logger = createLogger('db-test', process.env.LOG_LEVEL ?? 'error');

export const migrationsFolder = fileURLToPath(new URL('./fixtures/migrations', import.meta.url));

/** The test schema's database for one test file, migrated. */
export interface MigratedDatabase {
  testDb: TestDatabase;
  handle: DatabaseHandle;
  /** Empties the test tables (between tests). */
  clean(): Promise<void>;
  close(): Promise<void>;
}

export async function openMigratedDatabase(label: string): Promise<MigratedDatabase> {
  const testDb = await createTestDatabase(label);
  const handle = await createDatabase(testDb.url, { logger });
  await runMigrations(handle, { schema: 'dbtest', migrationsFolder });
  return {
    testDb,
    handle,
    clean: async () => {
      await handle.db.execute(
        sql`truncate dbtest.items, dbtest.outbox, dbtest.inbox, dbtest.idempotency_keys`,
      );
    },
    close: async () => {
      await handle.close();
      await testDb.close();
    },
  };
}

/** A stand-in bus for tests where the bus is not the point: records publishes, can be made to fail. */
export class FakePublisher {
  readonly batches: CloudEvent[][] = [];
  /** Calls of publish, failed ones included. */
  calls = 0;
  failWith: Error | undefined;
  /** Delay inside publish, to widen races between relays. */
  delayMs = 0;
  private readonly waiters = new Set<() => void>();

  get published(): CloudEvent[] {
    return this.batches.flat();
  }

  publish = async (events: CloudEvent[]): Promise<void> => {
    this.calls++;
    try {
      if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      if (this.failWith) throw this.failWith;
      this.batches.push(events);
    } finally {
      for (const waiter of this.waiters) waiter();
    }
  };

  /** Resolves once `condition` holds after a publish call (or at once). */
  until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new Error(
            `waited ${timeoutMs} ms for ${what}: ${this.calls} calls, ${this.published.length} published`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** Resolves once `count` events were published in total. */
  waitForCount(count: number, timeoutMs = 5000): Promise<void> {
    return this.until(() => this.published.length >= count, `${count} published events`, timeoutMs);
  }
}

/** Skips a test whose infrastructure is absent, saying why (mocha's skip takes no message). */
export function skipBecause(test: Mocha.Context, reason: string): never {
  process.stdout.write(`      (skipped: ${reason})\n`);
  test.skip();
}

/** An event of a type contracts does not know (so its data is not validated). */
export function itemCreated(name: string): { type: string; subject: string; data: { name: string } } {
  return { type: 'mathnet.dbtest.item.created', subject: name, data: { name } };
}
