import type * as Http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { expect } from 'chai';
import { currentTraceIds, startTelemetry, type Telemetry } from '../src/index';
import { SpanCollector } from './span-collector';

// Loaded through require after the SDK started, so the http instrumentation (a require hook) patches it.
const load = createRequire(import.meta.url);

describe('startTelemetry', () => {
  const collector = new SpanCollector();
  let telemetry: Telemetry;
  let http: typeof Http;

  before(() => {
    telemetry = startTelemetry({ exporter: collector, serviceName: 'telemetry-test' });
    http = load('node:http');
  });
  after(() => telemetry.shutdown());
  beforeEach(() => collector.reset());

  it('returns the running instance when called again', () => {
    expect(startTelemetry()).to.equal(telemetry);
  });

  it('gives an outgoing request and the incoming one it causes a shared trace id', async () => {
    const server = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ traceparent: req.headers.traceparent ?? null }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const body = await new Promise<string>((resolve, reject) => {
        http
          .get(`http://127.0.0.1:${port}/courses?limit=1`, (res) => {
            let data = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              data += chunk;
            });
            res.on('end', () => resolve(data));
          })
          .on('error', reject);
      });
      const spans = await collector.waitFor(
        (all) => all.some((s) => s.kind === SpanKind.CLIENT) && all.some((s) => s.kind === SpanKind.SERVER),
      );
      const client = spans.find((s) => s.kind === SpanKind.CLIENT)!;
      const incoming = spans.find((s) => s.kind === SpanKind.SERVER)!;
      expect(incoming.spanContext().traceId).to.equal(client.spanContext().traceId);
      expect(incoming.parentSpanContext?.spanId).to.equal(client.spanContext().spanId);
      expect(JSON.parse(body).traceparent).to.equal(
        `00-${client.spanContext().traceId}-${client.spanContext().spanId}-01`,
      );
      expect(incoming.resource.attributes['service.name']).to.equal('telemetry-test');
    } finally {
      server.close();
    }
  });

  it('does not trace health probes and metric scrapes', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      for (const path of ['/health/live', '/metrics', '/v1/things']) {
        await new Promise<void>((resolve, reject) => {
          http
            .get(`http://127.0.0.1:${port}${path}`, (res) => res.resume().on('end', resolve))
            .on('error', reject);
        });
      }
      const spans = await collector.waitFor(
        (all) => all.filter((s) => s.kind === SpanKind.SERVER).length > 0,
      );
      const servers = spans.filter((s) => s.kind === SpanKind.SERVER);
      expect(servers.map((s) => s.attributes['http.target'] ?? s.attributes['url.path'])).to.deep.equal([
        '/v1/things',
      ]);
    } finally {
      server.close();
    }
  });

  it('injects a W3C traceparent of the active span', () => {
    const tracer = trace.getTracer('telemetry-test');
    tracer.startActiveSpan('publish', (span) => {
      const carrier: Record<string, string> = {};
      propagation.inject(context.active(), carrier);
      const { traceId, spanId } = span.spanContext();
      expect(traceId).to.match(/^[0-9a-f]{32}$/);
      expect(carrier.traceparent).to.equal(`00-${traceId}-${spanId}-01`);
      span.end();
    });
  });

  it('currentTraceIds gives the active span ids, nothing outside a span', () => {
    expect(currentTraceIds()).to.deep.equal({});
    trace.getTracer('telemetry-test').startActiveSpan('work', (span) => {
      expect(currentTraceIds()).to.deep.equal({
        traceId: span.spanContext().traceId,
        spanId: span.spanContext().spanId,
      });
      span.end();
    });
  });
});

describe('startTelemetry lifecycle', () => {
  it('leaves no global SDK behind after shutdown, and can start again', async () => {
    const first = startTelemetry({ exporter: new SpanCollector() });
    await first.shutdown();
    await first.shutdown();
    const span = trace.getTracer('after').startSpan('nothing');
    expect(span.isRecording()).to.equal(false);
    span.end();
    const second = startTelemetry({ exporter: new SpanCollector() });
    expect(second).not.to.equal(first);
    await second.shutdown();
  });

  it('starts nothing when OTEL_SDK_DISABLED=true', async () => {
    const saved = process.env.OTEL_SDK_DISABLED;
    process.env.OTEL_SDK_DISABLED = 'true';
    try {
      const disabled = startTelemetry({ exporter: new SpanCollector() });
      trace.getTracer('disabled').startActiveSpan('nothing', (span) => {
        expect(span.isRecording()).to.equal(false);
        expect(currentTraceIds()).to.deep.equal({});
        span.end();
      });
      await disabled.shutdown();
    } finally {
      if (saved === undefined) delete process.env.OTEL_SDK_DISABLED;
      else process.env.OTEL_SDK_DISABLED = saved;
    }
  });
});
