import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { AmqplibInstrumentation } from '@opentelemetry/instrumentation-amqplib';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
// sdk-node re-exports sdk-trace-base as `tracing`; importing it from here keeps sdk-node the one
// source of SDK classes (a second copy of sdk-trace would not be the instance the SDK checks).
import { core, NodeSDK, tracing } from '@opentelemetry/sdk-node';

/** Options of {@link startTelemetry}. */
export interface StartTelemetryOptions {
  /** `service.name` of every span; default `OTEL_SERVICE_NAME`, else `mathnet`. */
  serviceName?: string;
  /**
   * Export spans here (one by one, as they end) instead of OTLP; for tests
   * (an `InMemorySpanExporter`) and debugging (a `ConsoleSpanExporter`).
   */
  exporter?: tracing.SpanExporter;
}

/** A started telemetry SDK. */
export interface Telemetry {
  /** Flushes pending spans and stops the SDK; call it on SIGTERM. Safe to call more than once. */
  shutdown(): Promise<void>;
}

// The running SDK is kept on globalThis, not in a module variable: `--import @mathnet/telemetry/register`
// and the app's own import could otherwise end up with two module instances and two SDKs.
const runningKey = Symbol.for('mathnet.telemetry.running');
type Holder = { [runningKey]?: Telemetry };

function isDisabled(): boolean {
  return process.env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true';
}

function otlpConfigured(): boolean {
  return Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

function createInstrumentations(): Instrumentation[] {
  return [
    new HttpInstrumentation({
      // Probes and scrapes every few seconds would drown the real traffic.
      ignoreIncomingRequestHook: (req) => {
        const url = req.url ?? '';
        return url.startsWith('/health/') || url === '/metrics';
      },
    }),
    new ExpressInstrumentation(),
    new PgInstrumentation(),
    new AmqplibInstrumentation(),
    new IORedisInstrumentation(),
  ];
}

function spanProcessor(options: StartTelemetryOptions): tracing.SpanProcessor {
  if (options.exporter) return new tracing.SimpleSpanProcessor(options.exporter);
  // The exporter reads the endpoint, headers and timeout from the standard OTEL_EXPORTER_OTLP_* variables.
  if (otlpConfigured()) return new tracing.BatchSpanProcessor(new OTLPTraceExporter());
  // Without a processor the SDK would register no tracer provider at all; with a no-op one spans
  // still get real ids, so trace context propagates and logs carry trace ids.
  return new tracing.NoopSpanProcessor();
}

/**
 * Starts the OpenTelemetry Node SDK: traces for http, express, pg, amqplib and
 * ioredis, W3C trace-context propagation, OTLP/HTTP export when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is set. `OTEL_SDK_DISABLED=true` turns it off.
 * Calling it again while it runs returns the running instance. Under ESM the
 * instrumentation hook must be registered before the app is imported: use
 * `node --import @mathnet/telemetry/register`.
 */
export function startTelemetry(options: StartTelemetryOptions = {}): Telemetry {
  const holder = globalThis as Holder;
  const running = holder[runningKey];
  if (running) return running;
  if (isDisabled()) return { shutdown: async () => {} };

  const instrumentations = createInstrumentations();
  const sdk = new NodeSDK({
    serviceName: options.serviceName ?? process.env.OTEL_SERVICE_NAME ?? 'mathnet',
    instrumentations,
    textMapPropagator: new core.W3CTraceContextPropagator(),
    spanProcessors: [spanProcessor(options)],
    // Metrics are Prometheus at /metrics (kit) and logs are pino; only traces go through OTel.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();

  let stopped: Promise<void> | undefined;
  const telemetry: Telemetry = {
    shutdown() {
      stopped ??= (async () => {
        try {
          await sdk.shutdown();
        } finally {
          // Unpatch and unregister the globals too, so a later start (or another test file)
          // finds a clean process instead of a dead provider.
          for (const instrumentation of instrumentations) instrumentation.disable();
          trace.disable();
          propagation.disable();
          context.disable();
          if (holder[runningKey] === telemetry) delete holder[runningKey];
        }
      })();
      return stopped;
    },
  };
  holder[runningKey] = telemetry;
  return telemetry;
}
