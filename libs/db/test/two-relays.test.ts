import { createDatabase, type DatabaseHandle, OutboxRelay, UnitOfWork } from '@mathnet/db';
import { expect } from 'chai';
import {
  FakePublisher,
  itemCreated,
  logger,
  type MigratedDatabase,
  openMigratedDatabase,
  outbox,
  skipBecause,
} from './support';

/** Replicas: each relay has its own pool, as separate processes would; they share the outbox. */
describe('two relays on one PostgreSQL database', () => {
  let database: MigratedDatabase | undefined;
  let replicas: DatabaseHandle[] = [];

  before(async function () {
    database = await openMigratedDatabase('db-two-relays');
    if (database.handle.kind !== 'postgres') {
      skipBecause(
        this,
        'no TEST_DATABASE_URL and no container engine: PGlite is one process, it has no replicas',
      );
    }
    replicas = await Promise.all(
      [1, 2].map(() => createDatabase(database!.testDb.url, { logger, poolMax: 3 })),
    );
  });

  after(async () => {
    await Promise.all(replicas.map((replica) => replica.close()));
    await database?.close();
  });

  it('publish each row once between them', async () => {
    const uow = new UnitOfWork({ db: database!.handle.db, outbox, source: '/mathnet/dbtest' });
    const total = 600;
    for (let start = 0; start < total; start += 100) {
      await uow.run(async (_tx, emit) => {
        for (let i = start; i < start + 100; i++) emit(itemCreated(`item-${i}`));
      });
    }

    const buses = replicas.map(() => new FakePublisher());
    for (const bus of buses) bus.delayMs = 5; // a broker round trip, so the relays overlap
    const relays = replicas.map(
      (replica, i) => new OutboxRelay({ db: replica.db, outbox, bus: buses[i]!, logger, batchSize: 20 }),
    );
    try {
      await Promise.all(relays.map((relay) => relay.drain(20_000)));
    } finally {
      await Promise.all(relays.map((relay) => relay.close()));
    }

    const ids = buses.flatMap((bus) => bus.published.map((event) => event.id));
    expect(ids).to.have.length(total);
    expect(new Set(ids).size).to.equal(total);
    // Both took part (SKIP LOCKED let the second relay take other rows rather than wait).
    expect(buses.map((bus) => bus.published.length).every((count) => count > 0)).to.equal(true);
    expect(await database!.handle.db.$count(outbox)).to.equal(total);
  });
});
