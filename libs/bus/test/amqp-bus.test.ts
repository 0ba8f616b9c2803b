import { createEvent } from '@mathnet/contracts';
import { createLogger } from '@mathnet/kit';
import { createTestBus, type TestBus, testAmqpUrl } from '@mathnet/testkit';
import { type Channel, type ChannelModel, connect } from 'amqplib';
import { expect } from 'chai';
import {
  createEventBus,
  DEFAULT_RETRY_DELAYS_MS,
  type EventBus,
  recordEvents,
  UNDECODABLE_EVENT_TYPE,
} from '../src/index';
import { type BusHandle, runBusContract } from './bus-contract';
import { eventually } from './wait';

const logger = createLogger('bus-test', process.env.LOG_LEVEL ?? 'error');

describe('amqp event bus (RabbitMQ)', function () {
  this.timeout(20_000);
  let url: string;
  let fileBus: TestBus;
  /** Everything the tests declared on the broker, deleted in after(). */
  const exchanges = new Set<string>();
  const queues = new Set<string>();

  before(async function () {
    const found = await testAmqpUrl();
    if (!found) {
      console.warn('amqp event bus tests skipped: no RabbitMQ (TEST_AMQP_URL unset and no container engine)');
      this.skip();
    }
    url = found;
    fileBus = await createTestBus('bus-contract');
  });

  /** A started bus whose subscriptions are remembered for cleanup. */
  async function makeBus(isolated?: string): Promise<BusHandle> {
    const { exchange, queuePrefix } = isolated ? await createTestBus(`bus-${isolated}`) : fileBus;
    const bus = createEventBus(url, { logger, exchange, queuePrefix });
    exchanges.add(exchange);
    const subscribe = bus.subscribe.bind(bus);
    bus.subscribe = (options) => {
      const main = `${queuePrefix}${options.group}`;
      queues.add(main).add(`${main}.dead`);
      for (const delay of options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS)
        queues.add(`${main}.retry.${delay}`);
      return subscribe(options);
    };
    await bus.start();
    return { bus, close: () => bus.close() };
  }

  after(async () => {
    if (!url || (queues.size === 0 && exchanges.size === 0)) return;
    const model = await connect(url);
    let channel = await model.createChannel();
    const reopen = async () => {
      channel = await model.createChannel();
      channel.on('error', () => {});
    };
    channel.on('error', () => {});
    for (const queue of queues) await channel.deleteQueue(queue).catch(reopen);
    for (const exchange of exchanges) await channel.deleteExchange(exchange).catch(reopen);
    await model.close();
  });

  runBusContract('amqp', makeBus);

  describe('on the wire', () => {
    let handle: BusHandle;
    let bus: EventBus;
    let raw: ChannelModel;
    let channel: Channel;
    const type = `mathnet.wire${Date.now().toString(36)}.item.created`;

    beforeEach(async () => {
      handle = await makeBus();
      bus = handle.bus;
      raw = await connect(url);
      channel = await raw.createChannel();
      channel.on('error', () => {});
    });

    afterEach(async () => {
      await handle.close();
      await raw.close().catch(() => {});
    });

    it('publishes each event persistent, as CloudEvents JSON, with id, type and routing key', async () => {
      const { queue } = await channel.assertQueue('', { exclusive: true });
      await channel.bindQueue(queue, fileBus.exchange, type);
      const event = createEvent({ source: '/mathnet/wire', type, subject: 's1', data: { a: 1 } });
      await bus.publish([event]);
      const message = await eventually(async () => {
        const got = await channel.get(queue, { noAck: true });
        if (!got) throw new Error('not routed yet');
        return got;
      });
      expect(JSON.parse(message.content.toString())).to.deep.equal(event);
      expect(message.fields.routingKey).to.equal(type);
      expect(message.fields.exchange).to.equal(fileBus.exchange);
      expect(message.properties).to.deep.include({
        contentType: 'application/cloudevents+json',
        messageId: event.id,
        type,
        deliveryMode: 2,
      });
    });

    it('declares a quorum group queue, a dead queue and one TTL retry queue per delay', async () => {
      const group = `wire.topology.${Date.now().toString(36)}`;
      await bus.subscribe({
        group,
        patterns: [type],
        maxAttempts: 4,
        retryDelaysMs: [50, 100],
        handler: async () => {},
      });
      const main = `${fileBus.queuePrefix}${group}`;
      for (const queue of [main, `${main}.dead`, `${main}.retry.50`, `${main}.retry.100`]) {
        expect((await channel.checkQueue(queue)).queue).to.equal(queue);
      }
      // Re-declaring with other arguments fails: proves the type and TTL the bus chose.
      const refused = async (declare: (ch: Channel) => Promise<unknown>) => {
        const probe = await raw.createChannel();
        probe.on('error', () => {});
        const error = await declare(probe).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect((error as { code?: number } | undefined)?.code).to.equal(406);
      };
      await refused((ch) =>
        ch.assertQueue(main, { durable: true, arguments: { 'x-queue-type': 'classic' } }),
      );
      await refused((ch) =>
        ch.assertQueue(`${main}.retry.50`, {
          durable: true,
          arguments: { 'x-queue-type': 'classic', 'x-message-ttl': 60 },
        }),
      );
    });

    it('with queueExpiresMs, lets the broker delete a group’s queues once unused', async () => {
      const { exchange, queuePrefix } = await createTestBus('bus-expiry');
      const expiring = createEventBus(url, { logger, exchange, queuePrefix, queueExpiresMs: 1000 });
      await expiring.start();
      const group = `wire.expiry.${Date.now().toString(36)}`;
      const main = `${queuePrefix}${group}`;
      const names = [main, `${main}.dead`, `${main}.retry.50`];
      try {
        const subscription = await expiring.subscribe({
          group,
          patterns: [type],
          maxAttempts: 2,
          retryDelaysMs: [50],
          handler: async () => {},
        });
        for (const queue of names) expect((await channel.checkQueue(queue)).queue).to.equal(queue);
        await subscription.close();
        // Unused now: each is deleted about a second later (checkQueue on a missing queue is a 404),
        // and with its last binding the exchange, which a test bus declares auto-delete.
        const gone = (what: string, check: (probe: Channel) => Promise<unknown>) =>
          eventually(
            async () => {
              const probe = await raw.createChannel();
              probe.on('error', () => {});
              const error = await check(probe).then(
                () => undefined,
                (e: unknown) => e,
              );
              expect((error as { code?: number } | undefined)?.code, what).to.equal(404);
            },
            10_000,
            200,
          );
        for (const queue of names) await gone(queue, (probe) => probe.checkQueue(queue));
        await gone(exchange, (probe) => probe.checkExchange(exchange));
      } finally {
        await expiring.close();
        exchanges.add(exchange);
        for (const queue of names) queues.add(queue);
      }
    });

    it('dead-letters at once a message whose body is not JSON', async () => {
      const group = `wire.garbage.${Date.now().toString(36)}`;
      const recorder = await recordEvents(bus, { group, patterns: [type] });
      channel.publish(fileBus.exchange, type, Buffer.from('not json {'), {
        messageId: 'garbage-1',
        persistent: true,
      });
      const [letter] = await eventually(async () => {
        const letters = await bus.deadLetters(group);
        expect(letters).to.have.length(1);
        return letters;
      });
      expect(recorder.events).to.deep.equal([]);
      expect(letter!.attempts).to.equal(1);
      expect(letter!.error).to.match(/^invalid CloudEvent: body is not JSON/);
      expect(letter!.event.type).to.equal(UNDECODABLE_EVENT_TYPE);
      expect(letter!.event.id).to.equal('garbage-1');
      expect(letter!.event.data).to.deep.equal({ body: 'not json {' });
    });
  });
});
