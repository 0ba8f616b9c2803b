import { Writable } from 'node:stream';
import { context, ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { expect } from 'chai';
import { createLogger } from '../src/index';

/** A logger writing its JSON lines into `lines`. */
function capturing() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger('kit-logger-test', 'info', sink), lines };
}

const flushed = () => new Promise((resolve) => setImmediate(resolve));

describe('createLogger', () => {
  // What the OpenTelemetry SDK registers (telemetry/register): an AsyncLocalStorage context manager.
  before(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  after(() => {
    context.disable();
  });

  it('puts the trace and span of the active context on each line, and nothing outside one', async () => {
    const { logger, lines } = capturing();
    const span = {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
    };
    context.with(trace.setSpanContext(ROOT_CONTEXT, span), () => logger.info('inside a request'));
    logger.info('outside');
    await flushed();
    expect(lines[0]).to.include({ msg: 'inside a request', trace_id: span.traceId, span_id: span.spanId });
    expect(lines[1]?.msg).to.equal('outside');
    expect(lines[1]).to.not.have.property('trace_id');
  });

  it('still redacts secrets', async () => {
    const { logger, lines } = capturing();
    logger.info({ password: 'hunter2', connection: { secrets: { token: 'x' } } }, 'secret stuff');
    await flushed();
    expect(lines[0]).to.include({ password: '[redacted]' });
    expect((lines[0]?.connection as { secrets: unknown } | undefined)?.secrets).to.equal('[redacted]');
  });
});
