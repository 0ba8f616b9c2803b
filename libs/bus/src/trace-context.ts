import type { CloudEvent } from '@mathnet/contracts';
import { context, isSpanContextValid, propagation, type SpanContext, trace } from '@opentelemetry/api';

/**
 * Returns the event with the active OpenTelemetry context as its W3C `traceparent`
 * (CloudEvents distributed tracing extension), unless it already carries one (an
 * outbox relay publishes the producer's context, not its own). Without a registered
 * SDK there is no active span and the event is returned unchanged.
 */
export function withTraceContext(event: CloudEvent): CloudEvent {
  if (event.traceparent) return event;
  const active = context.active();
  const carrier: Record<string, string> = {};
  propagation.inject(active, carrier);
  let traceparent = carrier.traceparent;
  let tracestate = carrier.tracestate;
  if (!traceparent) {
    // No propagator registered (API without SDK) but a span is active: format W3C ourselves.
    const span = trace.getSpanContext(active);
    if (span && isSpanContextValid(span)) {
      traceparent = formatTraceparent(span);
      tracestate = span.traceState?.serialize() || undefined;
    }
  }
  if (!traceparent) return event;
  return { ...event, traceparent, ...(tracestate ? { tracestate } : {}) };
}

/**
 * Runs `fn` inside the context extracted from the event's `traceparent`, so spans a
 * handler starts are children of the producer's span. No `traceparent`: runs as is.
 */
export function runInEventContext<T>(event: CloudEvent, fn: () => T): T {
  if (!event.traceparent) return fn();
  const carrier: Record<string, string> = { traceparent: event.traceparent };
  if (event.tracestate) carrier.tracestate = event.tracestate;
  const base = context.active();
  let extracted = propagation.extract(base, carrier);
  if (extracted === base) {
    // No propagator registered (API without SDK): read the W3C header ourselves.
    const span = parseTraceparent(event.traceparent);
    if (span) extracted = trace.setSpanContext(base, span);
  }
  return context.with(extracted, fn);
}

/** `00-<trace id>-<span id>-<flags>` */
export function formatTraceparent(span: SpanContext): string {
  return `00-${span.traceId}-${span.spanId}-${(span.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** Parses a W3C traceparent into a remote span context; undefined when malformed. */
export function parseTraceparent(traceparent: string): SpanContext | undefined {
  const match = TRACEPARENT.exec(traceparent.trim());
  if (!match || match[1] === 'ff' || (match[1] === '00' && match[5])) return undefined;
  const span: SpanContext = {
    traceId: match[2]!,
    spanId: match[3]!,
    traceFlags: Number.parseInt(match[4]!, 16),
    isRemote: true,
  };
  return isSpanContextValid(span) ? span : undefined;
}
