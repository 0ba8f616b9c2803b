import { randomUUID as uuidv7 } from 'node:crypto';
import { createEvent } from '@mathnet/contracts';
import { consumeOnce, inboxHandler } from '@mathnet/db';
import { expect } from 'chai';
import { eq, sql } from 'drizzle-orm';
import { inbox, items, type MigratedDatabase, openMigratedDatabase } from './support';

describe('consumeOnce', () => {
  let database: MigratedDatabase;

  before(async () => {
    database = await openMigratedDatabase('db-inbox');
  });

  after(async () => {
    await database?.close();
  });

  beforeEach(async () => {
    await database.clean();
  });

  const addPen = () => async (tx: Parameters<Parameters<typeof consumeOnce>[3]>[0]) => {
    await tx
      .insert(items)
      .values({ name: 'pen', quantity: 1 })
      .onConflictDoUpdate({ target: items.name, set: { quantity: sql`${items.quantity} + 1` } });
  };

  async function pens(): Promise<number | undefined> {
    const [row] = await database.handle.db.select().from(items).where(eq(items.name, 'pen'));
    return row?.quantity;
  }

  it('runs the effect once for a duplicated event id', async () => {
    const eventId = uuidv7();
    const key = { group: 'dbtest.pens', eventId };
    expect(await consumeOnce(database.handle.db, inbox, key, addPen())).to.equal(true);
    expect(await consumeOnce(database.handle.db, inbox, key, addPen())).to.equal(false);
    expect(await pens()).to.equal(1);

    // Another group handles the same event on its own.
    expect(
      await consumeOnce(database.handle.db, inbox, { group: 'dbtest.other', eventId }, addPen()),
    ).to.equal(true);
    expect(await pens()).to.equal(2);
  });

  it('rolls back the inbox row when the effect throws, so a redelivery runs it', async () => {
    const key = { group: 'dbtest.pens', eventId: uuidv7() };
    let error: unknown;
    try {
      await consumeOnce(database.handle.db, inbox, key, async (tx) => {
        await addPen()(tx);
        throw new Error('downstream failed');
      });
    } catch (caught) {
      error = caught;
    }
    expect((error as Error).message).to.equal('downstream failed');
    expect(await database.handle.db.$count(inbox)).to.equal(0);
    expect(await pens()).to.equal(undefined);

    expect(await consumeOnce(database.handle.db, inbox, key, addPen())).to.equal(true);
    expect(await pens()).to.equal(1);
  });

  it('runs the effect once when the same event is delivered twice at the same time', async () => {
    const key = { group: 'dbtest.pens', eventId: uuidv7() };
    const ran = await Promise.all([
      consumeOnce(database.handle.db, inbox, key, addPen()),
      consumeOnce(database.handle.db, inbox, key, addPen()),
    ]);
    expect(ran.filter(Boolean)).to.have.length(1);
    expect(await pens()).to.equal(1);
  });

  it('makes an idempotent bus handler with inboxHandler', async () => {
    const seen: string[] = [];
    const handler = inboxHandler({
      db: database.handle.db,
      inbox,
      group: 'dbtest.pens',
      handle: async (event, tx) => {
        seen.push(event.id);
        await addPen()(tx);
      },
    });
    const event = createEvent({ source: '/mathnet/dbtest', type: 'mathnet.dbtest.item.created', data: {} });
    await handler(event, { attempt: 1, redelivered: false });
    await handler(event, { attempt: 1, redelivered: true });
    expect(seen).to.deep.equal([event.id]);
    expect(await pens()).to.equal(1);
    const rows = await database.handle.db.select().from(inbox);
    expect(rows.map((row) => [row.consumerGroup, row.eventId])).to.deep.equal([['dbtest.pens', event.id]]);
  });
});
