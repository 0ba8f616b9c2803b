import { type CloudEvent, createEvent } from '@mathnet/contracts';
import { context, ROOT_CONTEXT, type SpanContext, TraceFlags, trace } from '@opentelemetry/api';
import { expect } from 'chai';
import { type DeliveryContext, type EventBus, recordEvents } from '../src/index';
import { failureContract } from './contract-failures';
import { outageContract } from './contract-outages';
import { useTestContextManager } from './test-context-manager';
import { deferred, eventually, work } from './wait';

/** A started bus for one test and how to dispose of it. */
export interface BusHandle {
  bus: EventBus;
  close(): Promise<void>;
}

/**
 * Makes a started bus. Without an argument, every call gives a bus on the same
 * exchange and queue prefix; with `isolated`, a bus on the same URL but with its
 * own exchange and queue prefix.
 */
export type MakeBus = (isolated?: string) => Promise<BusHandle>;

/** What the contract's parts share: the current test's bus and names unique to the test. */
export interface ContractScope {
  /** The bus of the running test (a new one per test). */
  readonly bus: EventBus;
  /** `mathnet.<unique per test>.<rest>` */
  type(rest: string): string;
  /** A group name unique to this test. */
  group(purpose: string): string;
  /** A new event of `type(rest)`. */
  event(rest: string, data?: unknown): CloudEvent;
}

let suiteRun = 0;

/** The behaviour every EventBus transport must have; run by each transport's test file. */
export function runBusContract(name: string, makeBus: MakeBus): void {
  describe(`${name}: event bus contract`, function () {
    this.timeout(15_000);
    const handles: BusHandle[] = [];
    let bus: EventBus;
    let ns: string;
    let groupCount = 0;

    /** Event types of this test only: `mathnet.<ns>.<rest>`. */
    const type = (rest: string) => `mathnet.${ns}.${rest}`;
    const group = (purpose: string) => `contract.${ns}.${purpose}.${groupCount++}`;
    const event = (rest: string, data: unknown = { n: Math.random() }): CloudEvent =>
      createEvent({ source: '/mathnet/contract', type: type(rest), data });
    const ids = (events: CloudEvent[]) => events.map((e) => e.id).sort();

    beforeEach(async () => {
      ns = `c${process.pid.toString(36)}${(suiteRun++).toString(36)}${Date.now().toString(36)}`;
      const handle = await makeBus();
      handles.push(handle);
      bus = handle.bus;
    });

    afterEach(async () => {
      await Promise.all(handles.splice(0).map((h) => h.close()));
    });

    const scope: ContractScope = {
      get bus() {
        return bus;
      },
      type,
      group,
      event,
    };
    failureContract(scope);
    outageContract(scope);

    it('answers ping once started', async () => {
      await bus.ping();
    });

    it('delivers a publish to every group once and shares it among a group’s consumers', async () => {
      const created = type('item.created');
      const end = type('marker.end');
      const shared = group('shared');
      const busy = { handler: () => work(10), prefetch: 1 };
      const a1 = await recordEvents(bus, { group: shared, patterns: [created, end], ...busy });
      const a2 = await recordEvents(bus, { group: shared, patterns: [created, end], ...busy });
      const b = await recordEvents(bus, { group: group('other'), patterns: [created, end] });

      const events = Array.from({ length: 12 }, () => event('item.created'));
      await bus.publish(events);
      await b.waitForCount((e) => e.type === created, 12);
      await eventually(() => expect(a1.events.length + a2.events.length).to.equal(12));
      // A marker behind them: once it is through, anything duplicated would have shown up.
      await bus.publish([event('marker.end')]);
      await b.waitFor((e) => e.type === end);
      await eventually(() => expect([...a1.events, ...a2.events].some((e) => e.type === end)).to.equal(true));

      const only = (list: CloudEvent[]) => list.filter((e) => e.type === created);
      expect(ids(only(b.events))).to.deep.equal(ids(events));
      expect(ids([...only(a1.events), ...only(a2.events)])).to.deep.equal(ids(events));
      expect(only(a1.events).length, 'first consumer got a share').to.be.greaterThan(0);
      expect(only(a2.events).length, 'second consumer got a share').to.be.greaterThan(0);
    });

    it('feeds one consumer of a single-active-consumer group, in order; the next takes over when it goes', async () => {
      const created = type('item.created');
      const ordered = group('ordered');
      const options = { group: ordered, patterns: [created], prefetch: 1, singleActiveConsumer: true };
      const first = await recordEvents(bus, { ...options, handler: () => work(2) });
      const standby = await recordEvents(bus, options);

      const before = Array.from({ length: 10 }, () => event('item.created'));
      await bus.publish(before);
      await first.waitForCount((e) => e.type === created, 10);
      expect(
        first.events.map((e) => e.id),
        'all of them, in publish order',
      ).to.deep.equal(before.map((e) => e.id));
      expect(standby.events, 'the standby gets nothing while the first is there').to.deep.equal([]);

      await first.close();
      const after = Array.from({ length: 5 }, () => event('item.created'));
      await bus.publish(after);
      const afterIds = new Set(after.map((e) => e.id));
      await standby.waitForCount((e) => afterIds.has(e.id), 5);
      expect(standby.events.filter((e) => afterIds.has(e.id)).map((e) => e.id)).to.deep.equal(
        after.map((e) => e.id),
      );
      // Besides them, only what the first had not acked when it closed comes again (at least once).
      const beforeIds = new Set(before.map((e) => e.id));
      expect(standby.events.every((e) => afterIds.has(e.id) || beforeIds.has(e.id))).to.equal(true);
    });

    it('routes by topic pattern: * is one word, # is zero or more', async () => {
      const end = type('marker.end');
      const bind = async (pattern: string) =>
        recordEvents(bus, { group: group('route'), patterns: [pattern, end] });
      const all = await bind(`mathnet.${ns}.#`);
      const anyCreated = await bind(`mathnet.${ns}.*.created`);
      const itemOneWord = await bind(`mathnet.${ns}.item.*`);
      const itemAnyDepth = await bind(`mathnet.${ns}.item.#`);
      const zeroWords = await bind(`mathnet.${ns}.item.created.#`);

      await bus.publish(
        ['item.created', 'item.deleted', 'box.created', 'item.sub.created'].map((t) => event(t)),
      );
      await bus.publish([event('marker.end')]);
      const received = async (recorder: Awaited<ReturnType<typeof bind>>) => {
        await recorder.waitFor((e) => e.type === end);
        return recorder.events
          .filter((e) => e.type !== end)
          .map((e) => e.type.slice(`mathnet.${ns}.`.length))
          .sort();
      };
      expect(await received(all)).to.deep.equal([
        'box.created',
        'item.created',
        'item.deleted',
        'item.sub.created',
      ]);
      expect(await received(anyCreated)).to.deep.equal(['box.created', 'item.created']);
      expect(await received(itemOneWord)).to.deep.equal(['item.created', 'item.deleted']);
      expect(await received(itemAnyDepth)).to.deep.equal([
        'item.created',
        'item.deleted',
        'item.sub.created',
      ]);
      expect(await received(zeroWords)).to.deep.equal(['item.created']);
    });

    it('resolves publish only once the events are safely queued (they survive a drop right after)', async () => {
      const stored = group('confirmed');
      const created = type('item.created');
      // Declare the group's queue, then leave it without consumers.
      await (await bus.subscribe({ group: stored, patterns: [created], handler: async () => {} })).close();
      const events = Array.from({ length: 200 }, (_, n) => event('item.created', { n }));
      await bus.publish(events);
      await bus.interruptConnection(50);
      await eventually(() => bus.ping(), 10_000);
      const recorder = await recordEvents(bus, { group: stored, patterns: [created] });
      const got = await recorder.waitForCount(() => true, 200);
      expect(ids(got)).to.deep.equal(ids(events));
    });

    it('redelivers, marked redelivered, what a consumer held unacked when its subscription closed', async () => {
      const worker = group('redeliver');
      const created = type('item.created');
      const received = deferred<DeliveryContext>();
      const hang = deferred();
      const first = await bus.subscribe({
        group: worker,
        patterns: [created],
        handler: async (_e, ctx) => {
          received.resolve(ctx);
          await hang.promise;
        },
      });
      const held = event('item.created');
      await bus.publish([held]);
      expect(await received.promise).to.deep.equal({ attempt: 1, redelivered: false });
      await first.close();
      const second = await recordEvents(bus, { group: worker, patterns: [created] });
      await second.waitFor((e) => e.id === held.id);
      hang.resolve(); // the dead consumer's late ack must change nothing
      expect(second.deliveries.map((d) => [d.event, d.context])).to.deep.equal([
        [held, { attempt: 1, redelivered: true }],
      ]);
    });

    it('respects prefetch: never more unacked deliveries per consumer than asked', async () => {
      let running = 0;
      let most = 0;
      const recorder = await recordEvents(bus, {
        group: group('prefetch'),
        patterns: [type('item.created')],
        prefetch: 2,
        handler: async () => {
          running++;
          most = Math.max(most, running);
          await work(60);
          running--;
        },
      });
      await bus.publish(Array.from({ length: 5 }, () => event('item.created')));
      await recorder.waitForCount(() => true, 5);
      expect(most).to.equal(2);
    });

    describe('trace context', () => {
      let removeContextManager: () => void;
      before(() => {
        removeContextManager = useTestContextManager();
      });
      after(() => removeContextManager());

      it('sets traceparent from the active context on publish and runs the handler inside it', async () => {
        const seen: Array<{ traceparent: string | undefined; active: SpanContext | undefined }> = [];
        const recorder = await recordEvents(bus, {
          group: group('trace'),
          patterns: [type('item.*')],
          handler: async (e) => {
            seen.push({ traceparent: e.traceparent, active: trace.getSpanContext(context.active()) });
          },
        });
        const producer: SpanContext = {
          traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
          spanId: '00f067aa0ba902b7',
          traceFlags: TraceFlags.SAMPLED,
        };
        const traced = event('item.created');
        await context.with(trace.setSpanContext(ROOT_CONTEXT, producer), () => bus.publish([traced]));
        await recorder.waitFor((e) => e.id === traced.id);
        const ownParent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
        const own = createEvent({
          source: '/mathnet/contract',
          type: type('item.kept'),
          data: {},
          traceparent: ownParent,
        });
        await context.with(trace.setSpanContext(ROOT_CONTEXT, producer), () => bus.publish([own]));
        const untraced = event('item.plain');
        await bus.publish([untraced]);
        await recorder.waitForCount(() => true, 3);

        expect(seen[0]!.traceparent).to.equal('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
        expect(seen[0]!.active).to.deep.include({
          traceId: producer.traceId,
          spanId: producer.spanId,
          isRemote: true,
        });
        expect(seen[1]!.traceparent, 'an event keeps the traceparent it has').to.equal(ownParent);
        expect(seen[1]!.active).to.deep.include({ traceId: '0af7651916cd43dd8448eb211c80319c' });
        expect(seen[2]).to.deep.equal({ traceparent: undefined, active: undefined });
      });
    });

    it('keeps buses on different exchanges apart', async () => {
      const other = await makeBus('isolated');
      handles.push(other);
      const patterns = [`mathnet.${ns}.#`];
      const same = group('isolation');
      const here = await recordEvents(bus, { group: same, patterns });
      const there = await recordEvents(other.bus, { group: same, patterns });
      const mine = event('item.created');
      const theirs = event('item.created');
      await bus.publish([mine]);
      await other.bus.publish([theirs]);
      const myEnd = event('marker.end');
      const theirEnd = event('marker.end');
      await bus.publish([myEnd]);
      await other.bus.publish([theirEnd]);
      await here.waitFor((e) => e.id === myEnd.id);
      await there.waitFor((e) => e.id === theirEnd.id);
      expect(here.events.map((e) => e.id)).to.deep.equal([mine.id, myEnd.id]);
      expect(there.events.map((e) => e.id)).to.deep.equal([theirs.id, theirEnd.id]);
    });
  });
}
