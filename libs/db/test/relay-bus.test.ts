import { createEventBus, type EventBus, type EventRecorder, recordEvents } from '@mathnet/bus';
import { consumeOnce, OutboxRelay, UnitOfWork } from '@mathnet/db';
import { createTestBus } from '@mathnet/testkit';
import { expect } from 'chai';
import { eq, sql } from 'drizzle-orm';
import {
  inbox,
  itemCreated,
  items,
  logger,
  type MigratedDatabase,
  openMigratedDatabase,
  outbox,
  skipBecause,
} from './support';

/** The relay against the real bus, on both transports, over one database. */
describe('OutboxRelay with the event bus', () => {
  let database: MigratedDatabase;

  before(async () => {
    database = await openMigratedDatabase('db-relay-bus');
  });

  after(async () => {
    await database?.close();
  });

  for (const transport of ['memory', 'amqp'] as const) {
    describe(`over the ${transport} transport`, () => {
      let bus: EventBus | undefined;
      let recorder: EventRecorder | undefined;
      let relay: OutboxRelay | undefined;
      let uow: UnitOfWork;

      before(async function () {
        const testBus = await createTestBus(`db-relay-${transport}`);
        if (transport === 'amqp' && !testBus.url.startsWith('amqp')) {
          skipBecause(this, 'no TEST_AMQP_URL and no container engine: no RabbitMQ here');
        }
        const url = transport === 'amqp' ? testBus.url : 'memory://';
        bus = createEventBus(url, {
          logger,
          exchange: testBus.exchange,
          queuePrefix: testBus.queuePrefix,
          queueExpiresMs: testBus.queueExpiresMs,
        });
        await bus.start();
        // Counts each item once per event id, through the inbox, in the relay's own database.
        recorder = await recordEvents(bus, {
          group: 'dbtest.counter',
          patterns: ['mathnet.dbtest.#'],
          handler: async (event) => {
            await consumeOnce(
              database.handle.db,
              inbox,
              { group: 'dbtest.counter', eventId: event.id },
              async (tx) => {
                await tx
                  .update(items)
                  .set({ quantity: sql`${items.quantity} + 1` })
                  .where(eq(items.name, String(event.subject)));
              },
            );
          },
        });
        relay = new OutboxRelay({ db: database.handle.db, outbox, bus, logger, pollIntervalMs: 60_000 });
        relay.start();
        uow = new UnitOfWork({ db: database.handle.db, outbox, source: '/mathnet/dbtest', relay });
      });

      after(async () => {
        await relay?.close();
        await recorder?.close();
        await bus?.close();
      });

      /** Commits an item and its event; resolves to the outbox row's event id. */
      async function createItem(name: string): Promise<string> {
        await uow.run(async (tx, emit) => {
          await tx.insert(items).values({ name });
          emit(itemCreated(name));
        });
        const [row] = await database.handle.db.select().from(outbox).where(eq(outbox.subject, name));
        return row!.id;
      }

      async function outboxRow(id: string) {
        const [row] = await database.handle.db.select().from(outbox).where(eq(outbox.id, id));
        return row!;
      }

      async function quantity(name: string): Promise<number | undefined> {
        const [row] = await database.handle.db.select().from(items).where(eq(items.name, name));
        return row?.quantity;
      }

      it('publishes a committed event, which consumers receive, and marks its row sent', async () => {
        const name = `${transport}-plain`;
        const id = await createItem(name);
        const event = await recorder!.waitFor((e) => e.id === id, 5000);
        expect(event).to.include({
          type: 'mathnet.dbtest.item.created',
          subject: name,
          source: '/mathnet/dbtest',
        });
        expect(event.data).to.deep.equal({ name });
        await relay!.drain();
        const row = await outboxRow(id);
        expect(row.sentAt).to.be.instanceOf(Date);
        expect(row.attempts).to.equal(0);
        expect(await quantity(name)).to.equal(1);
      });

      it('loses no event when the broker connection drops between the state change and the publish', async () => {
        const name = `${transport}-outage`;
        await bus!.interruptConnection(800);
        const id = await createItem(name); // committed while the bus is down; wakes the relay
        const event = await recorder!.waitFor((e) => e.id === id, 15_000);
        expect(event.subject).to.equal(name);
        await relay!.drain();
        const row = await outboxRow(id);
        expect(row.sentAt).to.be.instanceOf(Date);
        // Proof that the first publish did fail and the row waited for the reconnect.
        expect(row.attempts).to.be.at.least(1);
        expect(row.lastError)
          .to.be.a('string')
          .and.match(/BusUnavailableError|connection|closed/i);
        expect(await quantity(name)).to.equal(1);
      });

      it('has no second effect when the bus delivers an event again', async () => {
        const name = `${transport}-twice`;
        const id = await createItem(name);
        const event = await recorder!.waitFor((e) => e.id === id, 5000);
        await bus!.publish([event]);
        await recorder!.waitForCount((e) => e.id === id, 2, 5000);
        expect(await quantity(name)).to.equal(1);
      });
    });
  }
});
