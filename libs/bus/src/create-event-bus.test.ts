import type { Logger } from '@mathnet/kit';
import { expect } from 'chai';
import { createEventBus } from './create-event-bus';

/** Records info lines; the bus only needs these four methods. */
function fakeLogger(lines: string[]): Logger {
  const record = (first: unknown, second?: unknown) => {
    lines.push(typeof first === 'string' ? first : String(second));
  };
  return { info: record, warn: record, error: record, debug: record } as unknown as Logger;
}

describe('createEventBus', () => {
  it('picks the in-process bus for memory:// and says so once started', async () => {
    const lines: string[] = [];
    const bus = createEventBus('memory://', { logger: fakeLogger(lines) });
    expect(bus.transport).to.equal('memory');
    await bus.start();
    expect(lines).to.deep.equal([
      'event bus: in-process memory bus (memory://); events live in this process only',
    ]);
    await bus.close();
  });

  it('picks RabbitMQ for amqp:// and amqps:// (connecting only on start)', () => {
    const logger = fakeLogger([]);
    expect(createEventBus('amqp://guest:guest@127.0.0.1:5672', { logger }).transport).to.equal('amqp');
    expect(createEventBus('AMQPS://broker.example:5671/vhost', { logger }).transport).to.equal('amqp');
  });

  it('throws on any other scheme, naming it', () => {
    const logger = fakeLogger([]);
    expect(() => createEventBus('redis://127.0.0.1:6379', { logger })).to.throw(
      /"redis:".*amqp:\/\/.*memory:\/\//,
    );
    expect(() => createEventBus('localhost:5672', { logger })).to.throw(/"localhost:"/);
    expect(() => createEventBus('', { logger })).to.throw(/none in ""/);
  });

  it('fails start() when the broker cannot be reached', async () => {
    const bus = createEventBus('amqp://guest:guest@127.0.0.1:1', { logger: fakeLogger([]) });
    let error: unknown;
    await bus.start().catch((e) => {
      error = e;
    });
    expect(error).to.be.instanceOf(Error);
    expect((error as NodeJS.ErrnoException).code).to.equal('ECONNREFUSED');
    await bus.close();
  });
});
