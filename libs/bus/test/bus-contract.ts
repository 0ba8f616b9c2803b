import { type CloudEvent, createEvent } from '@mathnet/contracts';
import { context, ROOT_CONTEXT, type SpanContext, trace, TraceFlags } from '@opentelemetry/api';
import { expect } from 'chai';
import {
  BusUnavailableError,
  type DeadLetter,
  type DeliveryContext,
  type EventBus,
  PermanentError,
  recordEvents,
  UNDECODABLE_EVENT_TYPE,
} from '../src/index';
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

    it('routes by topic pattern: * is one word, # is zero or more', async () => {
      const end = type('marker.end');
      const bind = async (pattern: string) => recordEvents(bus, { group: group('route'), patterns: [pattern, end] });
      const all = await bind(`mathnet.${ns}.#`);
      const anyCreated = await bind(`mathnet.${ns}.*.created`);
      const itemOneWord = await bind(`mathnet.${ns}.item.*`);
      const itemAnyDepth = await bind(`mathnet.${ns}.item.#`);
      const zeroWords = await bind(`mathnet.${ns}.item.created.#`);

      await bus.publish(['item.created', 'item.deleted', 'box.created', 'item.sub.created'].map((t) => event(t)));
      await bus.publish([event('marker.end')]);
      const received = async (recorder: Awaited<ReturnType<typeof bind>>) => {
        await recorder.waitFor((e) => e.type === end);
        return recorder.events
          .filter((e) => e.type !== end)
          .map((e) => e.type.slice(`mathnet.${ns}.`.length))
          .sort();
      };
      expect(await received(all)).to.deep.equal(['box.created', 'item.created', 'item.deleted', 'item.sub.created']);
      expect(await received(anyCreated)).to.deep.equal(['box.created', 'item.created']);
      expect(await received(itemOneWord)).to.deep.equal(['item.created', 'item.deleted']);
      expect(await received(itemAnyDepth)).to.deep.equal(['item.created', 'item.deleted', 'item.sub.created']);
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

    it('retries with the configured backoff, then dead-letters with the error and attempt count', async () => {
      const failing = group('retry');
      const calls: Array<{ attempt: number; redelivered: boolean; at: number }> = [];
      await bus.subscribe({
        group: failing,
        patterns: [type('item.created')],
        maxAttempts: 4,
        retryDelaysMs: [50, 100],
        handler: async (_event, { attempt, redelivered }) => {
          calls.push({ attempt, redelivered, at: Date.now() });
          throw new Error(`boom on attempt ${attempt}`);
        },
      });
      const failed = event('item.created');
      const publishedAt = Date.now();
      await bus.publish([failed]);
      const dead = await eventually(async () => {
        const letters = await bus.deadLetters(failing);
        expect(letters).to.have.length(1);
        return letters;
      });

      expect(calls.map((c) => c.attempt)).to.deep.equal([1, 2, 3, 4]);
      expect(calls.every((c) => !c.redelivered)).to.equal(true);
      const gaps = calls.slice(1).map((c, i) => c.at - calls[i]!.at);
      // The last delay repeats: 50, 100, 100 (a few ms of timer slack below).
      expect(gaps[0]).to.be.within(45, 2000);
      expect(gaps[1]).to.be.within(95, 2000);
      expect(gaps[2]).to.be.within(95, 2000);
      const letter = dead[0] as DeadLetter;
      expect(letter.event).to.deep.equal(failed);
      expect(letter.error).to.equal('boom on attempt 4');
      expect(letter.attempts).to.equal(4);
      expect(Date.parse(letter.deadAt)).to.be.within(publishedAt, Date.now());
      // Reading does not remove.
      expect(await bus.deadLetters(failing)).to.deep.equal(dead);
    });

    it('dead-letters a PermanentError after one attempt; deadLetters is oldest first and honours limit', async () => {
      const refusing = group('permanent');
      const attempts: number[] = [];
      await bus.subscribe({
        group: refusing,
        patterns: [type('person.updated')],
        prefetch: 1,
        retryDelaysMs: [50],
        handler: async (e, { attempt }) => {
          attempts.push(attempt);
          throw new PermanentError(`unknown person ${(e.data as { person: string }).person}`);
        },
      });
      const first = event('person.updated', { person: 'p1' });
      const second = event('person.updated', { person: 'p2' });
      await bus.publish([first, second]);
      const dead = await eventually(async () => {
        const letters = await bus.deadLetters(refusing);
        expect(letters).to.have.length(2);
        return letters;
      });
      expect(attempts).to.deep.equal([1, 1]);
      expect(dead.map((d) => [d.event.id, d.error, d.attempts])).to.deep.equal([
        [first.id, 'unknown person p1', 1],
        [second.id, 'unknown person p2', 1],
      ]);
      expect((await bus.deadLetters(refusing, 1)).map((d) => d.event.id)).to.deep.equal([first.id]);
      expect(await bus.deadLetters(group('never-subscribed'))).to.deep.equal([]);
    });

    it('replays dead letters to the group with the attempt count reset', async () => {
      const replayed = group('replay');
      let refuse = true;
      const recorder = await recordEvents(bus, {
        group: replayed,
        patterns: [type('item.created')],
        handler: async () => {
          if (refuse) throw new PermanentError('not yet');
        },
      });
      const parked = event('item.created');
      await bus.publish([parked]);
      await eventually(async () => expect(await bus.deadLetters(replayed)).to.have.length(1));
      refuse = false;
      expect(await bus.replayDeadLetters(replayed)).to.equal(1);
      await recorder.waitFor((e) => e.id === parked.id);
      expect(recorder.deliveries.map((d) => [d.event, d.context])).to.deep.equal([
        [parked, { attempt: 1, redelivered: false }],
      ]);
      expect(await bus.deadLetters(replayed)).to.deep.equal([]);
      expect(await bus.replayDeadLetters(replayed)).to.equal(0);
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

    it('survives a connection outage: publish rejects meanwhile, then subscriptions resume by themselves', async () => {
      const created = type('item.created');
      const recorder = await recordEvents(bus, { group: group('outage'), patterns: [created] });
      const before = event('item.created');
      await bus.publish([before]);
      await recorder.waitFor((e) => e.id === before.id);

      const downForMs = 400;
      const droppedAt = Date.now();
      await bus.interruptConnection(downForMs);
      let publishError: unknown;
      await bus.publish([event('item.created')]).catch((error) => {
        publishError = error;
      });
      expect(publishError).to.be.instanceOf(BusUnavailableError);
      let pingError: unknown;
      await bus.ping().catch((error) => {
        pingError = error;
      });
      expect(pingError).to.be.instanceOf(BusUnavailableError);

      await eventually(() => bus.ping(), 10_000);
      expect(Date.now() - droppedAt).to.be.at.least(downForMs - 10);
      const after = event('item.created');
      await bus.publish([after]);
      await recorder.waitFor((e) => e.id === after.id);
      expect(recorder.events.map((e) => e.id)).to.deep.equal([before.id, after.id]);
    });

    it('dead-letters at once an event that is not a valid CloudEvent', async () => {
      const strict = group('invalid');
      const calls: CloudEvent[] = [];
      await bus.subscribe({ group: strict, patterns: [type('#')], handler: async (e) => void calls.push(e) });
      const invalid = { ...event('item.created'), specversion: '0.3' } as unknown as CloudEvent;
      await bus.publish([invalid]);
      const [letter] = await eventually(async () => {
        const letters = await bus.deadLetters(strict);
        expect(letters).to.have.length(1);
        return letters;
      });
      expect(calls).to.deep.equal([]);
      expect(letter!.attempts).to.equal(1);
      expect(letter!.error).to.match(/^invalid CloudEvent: specversion: /);
      expect(letter!.event.type).to.equal(UNDECODABLE_EVENT_TYPE);
      expect(letter!.event.id).to.equal(invalid.id);
      expect(JSON.parse((letter!.event.data as { body: string }).body)).to.deep.equal(invalid);
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
        const own = createEvent({ source: '/mathnet/contract', type: type('item.kept'), data: {}, traceparent: ownParent });
        await context.with(trace.setSpanContext(ROOT_CONTEXT, producer), () => bus.publish([own]));
        const untraced = event('item.plain');
        await bus.publish([untraced]);
        await recorder.waitForCount(() => true, 3);

        expect(seen[0]!.traceparent).to.equal('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
        expect(seen[0]!.active).to.deep.include({ traceId: producer.traceId, spanId: producer.spanId, isRemote: true });
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
