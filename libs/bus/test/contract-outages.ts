import { expect } from 'chai';
import { BusUnavailableError, recordEvents } from '../src/index';
import type { ContractScope } from './bus-contract';
import { deferred, eventually } from './wait';

/** Contract: a dropped connection and what it does to publishing and to deliveries in flight. */
export function outageContract(scope: ContractScope): void {
  const { type, group, event } = scope;

  it('survives a connection outage: publish rejects meanwhile, then subscriptions resume by themselves', async () => {
    const created = type('item.created');
    const recorder = await recordEvents(scope.bus, { group: group('outage'), patterns: [created] });
    const before = event('item.created');
    await scope.bus.publish([before]);
    await recorder.waitFor((e) => e.id === before.id);

    const downForMs = 400;
    const droppedAt = Date.now();
    await scope.bus.interruptConnection(downForMs);
    let publishError: unknown;
    await scope.bus.publish([event('item.created')]).catch((error) => {
      publishError = error;
    });
    expect(publishError).to.be.instanceOf(BusUnavailableError);
    let pingError: unknown;
    await scope.bus.ping().catch((error) => {
      pingError = error;
    });
    expect(pingError).to.be.instanceOf(BusUnavailableError);

    await eventually(() => scope.bus.ping(), 10_000);
    expect(Date.now() - droppedAt).to.be.at.least(downForMs - 10);
    const after = event('item.created');
    await scope.bus.publish([after]);
    await recorder.waitFor((e) => e.id === after.id);
    // At least once: an ack lost with the connection brings a copy back, flagged redelivered.
    const firstDeliveries = recorder.deliveries.filter((d) => !d.context.redelivered).map((d) => d.event.id);
    expect(firstDeliveries).to.deep.equal([before.id, after.id]);
    expect([...new Set(recorder.events.map((e) => e.id))]).to.deep.equal([before.id, after.id]);
  });

  it('puts deliveries in flight during an outage back, to come again marked redelivered', async () => {
    const started = deferred();
    const hang = deferred();
    let calls = 0;
    const recorder = await recordEvents(scope.bus, {
      group: group('outage-inflight'),
      patterns: [type('item.created')],
      handler: async () => {
        if (++calls > 1) return;
        started.resolve();
        await hang.promise;
      },
    });
    const held = event('item.created');
    await scope.bus.publish([held]);
    await started.promise;
    await scope.bus.interruptConnection(100);
    await recorder.waitFor((e) => e.id === held.id);
    expect(recorder.deliveries.map((d) => [d.event.id, d.context])).to.deep.equal([
      [held.id, { attempt: 1, redelivered: true }],
    ]);
    expect(calls).to.equal(2);
    hang.resolve();
  });
}
