import { OutboxRelay, UnitOfWork } from '@mathnet/db';
import { expect } from 'chai';
import { sql } from 'drizzle-orm';
import {
  FakePublisher,
  inbox,
  itemCreated,
  logger,
  type MigratedDatabase,
  openMigratedDatabase,
  outbox,
} from './support';

describe('OutboxRelay', () => {
  let database: MigratedDatabase;
  let bus: FakePublisher;
  let relays: OutboxRelay[];

  before(async () => {
    database = await openMigratedDatabase('db-relay');
  });

  after(async () => {
    await database?.close();
  });

  beforeEach(async () => {
    await database.clean();
    bus = new FakePublisher();
    relays = [];
  });

  afterEach(async () => {
    await Promise.all(relays.map((relay) => relay.close()));
  });

  function relay(options: { batchSize?: number; pollIntervalMs?: number } = {}): OutboxRelay {
    const created = new OutboxRelay({ db: database.handle.db, outbox, inbox, bus, logger, ...options });
    relays.push(created);
    return created;
  }

  async function emit(
    names: string[],
    uow = new UnitOfWork({ db: database.handle.db, outbox, source: '/mathnet/dbtest' }),
  ) {
    await uow.run(async (_tx, emitEvent) => {
      for (const name of names) emitEvent(itemCreated(name));
    });
  }

  const rows = () => database.handle.db.select().from(outbox).orderBy(outbox.seq);

  it('publishes unsent rows in order in one publish call as CloudEvents and marks them sent', async () => {
    await emit(['a', 'b']);
    await emit(['c']);
    await relay().drain();

    expect(bus.batches.map((batch) => batch.map((event) => event.subject))).to.deep.equal([['a', 'b', 'c']]);
    const stored = await rows();
    expect(bus.published.map((event) => event.id)).to.deep.equal(stored.map((row) => row.id));
    const [first] = bus.published;
    expect(first).to.deep.equal({
      specversion: '1.0',
      id: stored[0]!.id,
      source: '/mathnet/dbtest',
      type: 'mathnet.dbtest.item.created',
      time: stored[0]!.time.toISOString(),
      subject: 'a',
      datacontenttype: 'application/json',
      data: { name: 'a' },
    });
    expect(stored.every((row) => row.sentAt instanceof Date)).to.equal(true);

    await relay().drain(); // nothing left: no second publish
    expect(bus.batches).to.have.length(1);
  });

  it('keeps publishing while full batches come back', async () => {
    await emit(['1', '2', '3', '4', '5']);
    await relay({ batchSize: 2 }).drain();
    expect(bus.batches.map((batch) => batch.map((event) => event.subject))).to.deep.equal([
      ['1', '2'],
      ['3', '4'],
      ['5'],
    ]);
  });

  it('keeps rows unsent when publish fails, records the attempts, and publishes them later in order', async () => {
    await emit(['x', 'y']);
    bus.failWith = new Error('broker said no');
    let error: unknown;
    try {
      await relay().drain(400);
    } catch (caught) {
      error = caught;
    }
    expect((error as Error).message).to.match(
      /rows still unsent after 400 ms \(last publish error: Error: broker said no\)/,
    );
    let stored = await rows();
    expect(stored.map((row) => row.sentAt)).to.deep.equal([null, null]);
    expect(stored[0]!.attempts).to.be.greaterThan(1);
    expect(stored[0]!.lastError).to.equal('Error: broker said no');

    bus.failWith = undefined;
    await emit(['z']);
    await relay().drain();
    expect(bus.published.map((event) => event.subject)).to.deep.equal(['x', 'y', 'z']);
    stored = await rows();
    expect(stored.every((row) => row.sentAt !== null)).to.equal(true);
  });

  it('runs in the background and publishes right after a commit that wakes it', async () => {
    const running = relay({ pollIntervalMs: 60_000 }); // so only wake() can explain a prompt publish
    running.start();
    const uow = new UnitOfWork({ db: database.handle.db, outbox, source: '/mathnet/dbtest', relay: running });
    await emit(['woken'], uow);
    await bus.waitForCount(1, 2000);
    expect(bus.published.map((event) => event.subject)).to.deep.equal(['woken']);
  });

  it('retries in the background with backoff until publish works again', async () => {
    bus.failWith = new Error('down');
    const running = relay({ pollIntervalMs: 60_000 });
    running.start();
    const uow = new UnitOfWork({ db: database.handle.db, outbox, source: '/mathnet/dbtest', relay: running });
    await emit(['patient'], uow);
    await bus.until(() => bus.calls >= 3, 'three failed publishes');
    bus.failWith = undefined;
    await bus.waitForCount(1, 5000);
    await running.drain();
    const [row] = await rows();
    expect(row!.sentAt).to.be.instanceOf(Date);
    expect(row!.attempts).to.be.at.least(3);
    expect(row!.lastError).to.equal('Error: down');
  });

  it('deletes rows sent more than 7 days ago', async () => {
    await emit(['old', 'recent', 'unsent']);
    await database.handle.db.execute(
      sql`update dbtest.outbox set sent_at = now() - interval '8 days' where subject = 'old'`,
    );
    await database.handle.db.execute(
      sql`update dbtest.outbox set sent_at = now() - interval '6 days' where subject = 'recent'`,
    );
    await relay().drain();
    expect((await rows()).map((row) => row.subject)).to.deep.equal(['recent', 'unsent']);
    expect(bus.published.map((event) => event.subject)).to.deep.equal(['unsent']);
  });

  it('deletes inbox rows processed more than 30 days ago, and only those', async () => {
    const row = (group: string, eventId: string, daysAgo: number) =>
      sql`(${eventId}::uuid, ${group}, now() - make_interval(days => ${daysAgo}))`;
    await database.handle.db.execute(
      sql`insert into dbtest.inbox (event_id, consumer_group, processed_at) values ${sql.join(
        [
          row('dbtest.a', '00000000-0000-4000-8000-000000000001', 31),
          row('dbtest.a', '00000000-0000-4000-8000-000000000002', 29),
          row('dbtest.b', '00000000-0000-4000-8000-000000000003', 45),
          row('dbtest.b', '00000000-0000-4000-8000-000000000004', 0),
        ],
        sql`, `,
      )}`,
    );
    await relay().drain();
    const left = await database.handle.db.select().from(inbox).orderBy(inbox.eventId);
    expect(left.map((r) => r.eventId)).to.deep.equal([
      '00000000-0000-4000-8000-000000000002',
      '00000000-0000-4000-8000-000000000004',
    ]);
  });
});
