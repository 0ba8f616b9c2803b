import { createEvent } from '@mathnet/contracts';
import { createLogger } from '@mathnet/kit';
import { expect } from 'chai';
import { createEventBus, type EventBus, recordEvents } from '../src/index';

describe('recordEvents', () => {
  let bus: EventBus;
  const type = 'mathnet.recorder.item.created';
  const event = (n: number) => createEvent({ source: '/mathnet/test', type, data: { n } });

  beforeEach(async () => {
    bus = createEventBus('memory://', { logger: createLogger('bus-test', 'error') });
    await bus.start();
  });
  afterEach(() => bus.close());

  it('resolves waitFor with an event recorded before or after the call', async () => {
    const recorder = await recordEvents(bus, { group: 'recorder.a', patterns: [type] });
    const [first, second] = [event(1), event(2)];
    await bus.publish([first]);
    await recorder.waitFor((e) => e.id === first.id);
    expect(await recorder.waitFor((e) => e.id === first.id)).to.deep.equal(first);
    const later = recorder.waitFor((e) => e.id === second.id);
    await bus.publish([second]);
    expect(await later).to.deep.equal(second);
    expect(await recorder.waitForCount(() => true, 2)).to.deep.equal([first, second]);
  });

  it('rejects on timeout with what it saw', async () => {
    const recorder = await recordEvents(bus, { group: 'recorder.b', patterns: [type] });
    const seen = event(1);
    await bus.publish([seen]);
    await recorder.waitFor(() => true);
    let error: unknown;
    await recorder
      .waitFor(() => false, 30)
      .catch((e) => {
        error = e;
      });
    expect((error as Error).message).to.equal(
      `recorder(recorder.b): waited 30 ms for 1 matching events, got 0; 1 recorded: ${type} ${seen.id}`,
    );
  });

  it('rejects pending waits on close', async () => {
    const recorder = await recordEvents(bus, { group: 'recorder.c', patterns: [type] });
    const pending = recorder.waitFor(() => true).catch((e: Error) => e.message);
    await recorder.close();
    expect(await pending).to.equal('recorder(recorder.c) closed while waiting; 0 recorded: none');
  });
});
