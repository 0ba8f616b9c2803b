import { idempotent, UnitOfWork } from '@mathnet/db';
import { expect } from 'chai';
import { idempotencyKeys, items, type MigratedDatabase, openMigratedDatabase, outbox } from './support';

describe('idempotent (Idempotency-Key)', () => {
  let database: MigratedDatabase;
  let uow: UnitOfWork;

  before(async () => {
    database = await openMigratedDatabase('db-idempotency');
    uow = new UnitOfWork({ db: database.handle.db, outbox, source: '/mathnet/dbtest' });
  });
  after(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    await database.clean();
  });

  /** The error a promise rejects with (undefined when it resolves). */
  const rejection = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => error as Error,
    );
  const request = (key: string | undefined) => ({ key, route: 'POST /v1/items', actorId: 'person:1' });
  const itemNames = async () =>
    (await database.handle.db.select().from(items).orderBy(items.name)).map((row) => row.name);

  it('keeps the answer given inside the creating transaction, so a failure after the commit is not created again', async () => {
    let calls = 0;
    // The work commits, then the request fails before it could answer (a lost connection, a
    // crash between the commit and the reply). The answer was kept in the same transaction.
    const failing = idempotent(
      database.handle.db,
      idempotencyKeys,
      request('k-after-commit'),
      async (keep) => {
        calls++;
        const answer = await uow.run(async (tx) => {
          const [row] = await tx.insert(items).values({ name: 'pen' }).returning();
          return keep(tx, { status: 201, body: { id: row!.id, name: row!.name } });
        });
        throw new Error(`the reply of ${answer.body.name} was lost`);
      },
    );
    expect((await rejection(failing))?.message).to.equal('the reply of pen was lost');

    const retried = await idempotent(
      database.handle.db,
      idempotencyKeys,
      request('k-after-commit'),
      async () => {
        calls++;
        throw new Error('must not create again');
      },
    );
    expect(retried.status).to.equal(201);
    expect(retried.body).to.include({ name: 'pen' });
    expect(calls).to.equal(1);
    expect(await itemNames()).to.deep.equal(['pen']);
  });

  it('releases the claim when the creating transaction rolls back, kept answer included', async () => {
    const failing = idempotent(database.handle.db, idempotencyKeys, request('k-rollback'), (keep) =>
      uow.run(async (tx) => {
        await tx.insert(items).values({ name: 'ink' });
        await keep(tx, { status: 201, body: { name: 'ink' } });
        throw new Error('refused after all');
      }),
    );
    expect((await rejection(failing))?.message).to.equal('refused after all');
    expect(await database.handle.db.$count(idempotencyKeys)).to.equal(0);

    const again = await idempotent(database.handle.db, idempotencyKeys, request('k-rollback'), (keep) =>
      uow.run(async (tx) => {
        await tx.insert(items).values({ name: 'ink' });
        return keep(tx, { status: 201, body: { name: 'ink' } });
      }),
    );
    expect(again.body).to.deep.equal({ name: 'ink' });
    expect(await itemNames()).to.deep.equal(['ink']);
  });

  it('still keeps an answer given after the transaction, and runs every time without a key', async () => {
    const create = async () => {
      const [row] = await database.handle.db
        .insert(items)
        .values({ name: `n${await itemCount()}` })
        .returning();
      return { status: 201, body: { name: row!.name } };
    };
    const itemCount = () => database.handle.db.$count(items);
    const first = await idempotent(database.handle.db, idempotencyKeys, request('k-late'), create);
    const second = await idempotent(database.handle.db, idempotencyKeys, request('k-late'), create);
    expect(second).to.deep.equal(first);
    await idempotent(database.handle.db, idempotencyKeys, request(undefined), create);
    await idempotent(database.handle.db, idempotencyKeys, request(undefined), create);
    expect(await itemNames()).to.deep.equal(['n0', 'n1', 'n2']);
  });
});
