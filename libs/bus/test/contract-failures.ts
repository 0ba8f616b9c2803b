import type { CloudEvent } from '@mathnet/contracts';
import { expect } from 'chai';
import { type DeadLetter, PermanentError, recordEvents, UNDECODABLE_EVENT_TYPE } from '../src/index';
import type { ContractScope } from './bus-contract';
import { eventually } from './wait';

/** Contract: retries with backoff, dead letters, PermanentError, replay, undecodable events. */
export function failureContract(scope: ContractScope): void {
  const { type, group, event } = scope;

  it('retries with the configured backoff, then dead-letters with the error and attempt count', async () => {
    const failing = group('retry');
    const calls: Array<{ attempt: number; redelivered: boolean; at: number }> = [];
    await scope.bus.subscribe({
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
    await scope.bus.publish([failed]);
    const dead = await eventually(async () => {
      const letters = await scope.bus.deadLetters(failing);
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
    expect(await scope.bus.deadLetters(failing)).to.deep.equal(dead);
  });

  it('dead-letters a PermanentError after one attempt; deadLetters is oldest first and honours limit', async () => {
    const refusing = group('permanent');
    const attempts: number[] = [];
    await scope.bus.subscribe({
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
    await scope.bus.publish([first, second]);
    const dead = await eventually(async () => {
      const letters = await scope.bus.deadLetters(refusing);
      expect(letters).to.have.length(2);
      return letters;
    });
    expect(attempts).to.deep.equal([1, 1]);
    expect(dead.map((d) => [d.event.id, d.error, d.attempts])).to.deep.equal([
      [first.id, 'unknown person p1', 1],
      [second.id, 'unknown person p2', 1],
    ]);
    expect((await scope.bus.deadLetters(refusing, 1)).map((d) => d.event.id)).to.deep.equal([first.id]);
    expect(await scope.bus.deadLetters(group('never-subscribed'))).to.deep.equal([]);
  });

  it('replays dead letters to the group with the attempt count reset', async () => {
    const replayed = group('replay');
    let refuse = true;
    const recorder = await recordEvents(scope.bus, {
      group: replayed,
      patterns: [type('item.created')],
      handler: async () => {
        if (refuse) throw new PermanentError('not yet');
      },
    });
    const parked = event('item.created');
    await scope.bus.publish([parked]);
    await eventually(async () => expect(await scope.bus.deadLetters(replayed)).to.have.length(1));
    refuse = false;
    expect(await scope.bus.replayDeadLetters(replayed)).to.equal(1);
    await recorder.waitFor((e) => e.id === parked.id);
    expect(recorder.deliveries.map((d) => [d.event, d.context])).to.deep.equal([
      [parked, { attempt: 1, redelivered: false }],
    ]);
    expect(await scope.bus.deadLetters(replayed)).to.deep.equal([]);
    expect(await scope.bus.replayDeadLetters(replayed)).to.equal(0);
  });

  it('dead-letters at once an event that is not a valid CloudEvent', async () => {
    const strict = group('invalid');
    const calls: CloudEvent[] = [];
    await scope.bus.subscribe({
      group: strict,
      patterns: [type('#')],
      handler: async (e) => void calls.push(e),
    });
    const invalid = { ...event('item.created'), specversion: '0.3' } as unknown as CloudEvent;
    await scope.bus.publish([invalid]);
    const [letter] = await eventually(async () => {
      const letters = await scope.bus.deadLetters(strict);
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

  it('rejects publishing an event without a string id and type, before sending anything', async () => {
    const recorder = await recordEvents(scope.bus, { group: group('unroutable'), patterns: [type('#')] });
    const good = event('item.created');
    const noType = { ...event('item.created'), type: undefined } as unknown as CloudEvent;
    let error: unknown;
    await scope.bus.publish([good, noType]).catch((e) => {
      error = e;
    });
    expect((error as Error).message).to.equal(
      'publish: each event needs a non-empty string id and type; got id ' +
        JSON.stringify(noType.id) +
        ', type undefined',
    );
    await scope.bus.publish([event('marker.end')]);
    await recorder.waitFor((e) => e.type === type('marker.end'));
    expect(recorder.events.map((e) => e.type)).to.deep.equal([type('marker.end')]);
  });
}
