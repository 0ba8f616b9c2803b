import { UnitOfWork } from '@mathnet/db';
import { context, propagation, TraceFlags, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { itemCreated, items, type MigratedDatabase, openMigratedDatabase, outbox } from './support';

describe('UnitOfWork', () => {
  let database: MigratedDatabase;
  let wakes: number;
  let uow: UnitOfWork;

  before(async () => {
    database = await openMigratedDatabase('db-uow');
  });

  after(async () => {
    await database?.close();
  });

  beforeEach(async () => {
    await database.clean();
    wakes = 0;
    uow = new UnitOfWork({
      db: database.handle.db,
      outbox,
      source: '/mathnet/dbtest',
      relay: { wake: () => void wakes++ },
    });
  });

  it('writes the state change and its events in one transaction, then wakes the relay', async () => {
    const id = await uow.run(async (tx, emit) => {
      const [row] = await tx.insert(items).values({ name: 'pen', quantity: 2 }).returning();
      emit(itemCreated('pen'));
      emit({ type: 'mathnet.dbtest.item.counted', data: { quantity: 2 } });
      return row!.id;
    });

    const state = await database.handle.db.select().from(items).where(eq(items.id, id));
    expect(state.map((row) => row.quantity)).to.deep.equal([2]);
    const rows = await database.handle.db.select().from(outbox).orderBy(outbox.seq);
    expect(rows.map((row) => [row.type, row.subject, row.data, row.source])).to.deep.equal([
      ['mathnet.dbtest.item.created', 'pen', { name: 'pen' }, '/mathnet/dbtest'],
      ['mathnet.dbtest.item.counted', null, { quantity: 2 }, '/mathnet/dbtest'],
    ]);
    for (const row of rows) {
      expect(row.id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/); // UUIDv7
      expect(row.sentAt).to.equal(null);
      expect(row.attempts).to.equal(0);
      expect(row.traceparent).to.equal(null); // no trace context active
      expect(Math.abs(row.time.getTime() - Date.now())).to.be.lessThan(60_000);
    }
    expect(wakes).to.equal(1);
  });

  it('writes neither state nor events when the work throws', async () => {
    let error: unknown;
    try {
      await uow.run(async (tx, emit) => {
        await tx.insert(items).values({ name: 'ghost' });
        emit(itemCreated('ghost'));
        throw new Error('changed my mind');
      });
    } catch (caught) {
      error = caught;
    }
    expect((error as Error).message).to.equal('changed my mind');
    expect(await database.handle.db.$count(items)).to.equal(0);
    expect(await database.handle.db.$count(outbox)).to.equal(0);
    expect(wakes).to.equal(0);
  });

  it('does not wake the relay when nothing was emitted', async () => {
    await uow.run(async (tx) => {
      await tx.insert(items).values({ name: 'quiet' });
    });
    expect(await database.handle.db.$count(items)).to.equal(1);
    expect(wakes).to.equal(0);
  });

  it('validates the data of known event types and rolls back on invalid data', async () => {
    const organisation = {
      id: '0190a8d2-6a5c-7c3e-9d1f-2a3b4c5d6e7f',
      name: 'Lyceum 1',
      shortName: null,
      kind: 'school',
      isHub: false,
      profiles: ['it'],
      status: 'active',
      version: 1,
    };
    await uow.run(async (_tx, emit) => {
      emit({
        type: 'mathnet.registry.organisation.registered',
        subject: organisation.id,
        data: organisation,
      });
    });
    expect(await database.handle.db.$count(outbox)).to.equal(1);

    let error: unknown;
    try {
      await uow.run(async (tx, emit) => {
        await tx.insert(items).values({ name: 'bad' });
        emit({ type: 'mathnet.registry.organisation.updated', data: { ...organisation, version: 0 } });
      });
    } catch (caught) {
      error = caught;
    }
    expect((error as Error).message).to.match(
      /invalid data for event mathnet\.registry\.organisation\.updated: version/,
    );
    expect(await database.handle.db.$count(outbox)).to.equal(1);
    expect(await database.handle.db.$count(items)).to.equal(0);
  });

  it('rejects an event type outside the naming scheme', async () => {
    let error: unknown;
    try {
      await uow.run(async (_tx, emit) => emit({ type: 'ItemCreated', data: {} }));
    } catch (caught) {
      error = caught;
    }
    expect((error as Error).message).to.contain('"ItemCreated" is not of the form');
  });

  it('records the traceparent of the active OpenTelemetry context', async () => {
    const contextManager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(contextManager);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    try {
      const spanContext = {
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0ba902b7',
        traceFlags: TraceFlags.SAMPLED,
      };
      await context.with(trace.setSpanContext(context.active(), spanContext), () =>
        uow.run(async (_tx, emit) => emit(itemCreated('traced'))),
      );
    } finally {
      propagation.disable();
      context.disable();
    }
    const [row] = await database.handle.db.select().from(outbox);
    expect(row?.traceparent).to.equal('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
  });

  it('writes many events in emit order, each with its own subject and data intact', async () => {
    const tricky = ['a"b', 'c,d', '{x}', 'e\\f', "it's", 'Ёлка 🎄', 'NULL', '', ' spaced '];
    const emitted = Array.from({ length: 1200 }, (_, i) => ({
      type: i % 2 ? 'mathnet.dbtest.item.created' : 'mathnet.dbtest.item.counted',
      ...(i % 3 ? { subject: `${tricky[i % tricky.length]}-${i}` } : {}),
      data:
        i % 5 === 0
          ? [i, null, { nested: { text: tricky[i % tricky.length] } }]
          : { name: tricky[i % tricky.length], i, ok: i % 2 === 0, none: null },
    }));
    await uow.run(async (_tx, emit) => {
      for (const event of emitted) emit(event);
    });
    const rows = await database.handle.db.select().from(outbox).orderBy(outbox.seq);
    expect(rows.map((r) => [r.type, r.subject, r.data])).to.deep.equal(
      emitted.map((e) => [e.type, e.subject ?? null, e.data]),
    );
    expect(new Set(rows.map((r) => r.id)).size).to.equal(emitted.length);
    expect(wakes).to.equal(1);
  });

  it('refuses an emit after the work finished', async () => {
    let late: ((event: ReturnType<typeof itemCreated>) => void) | undefined;
    await uow.run(async (_tx, emit) => {
      late = emit;
    });
    expect(() => late?.(itemCreated('late'))).to.throw(/after its unit of work finished/);
  });
});
