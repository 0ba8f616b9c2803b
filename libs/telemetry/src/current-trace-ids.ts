import { isSpanContextValid, trace } from '@opentelemetry/api';

/** Ids of the active span, for log correlation; empty when no span is active (or no SDK runs). */
export function currentTraceIds(): { traceId?: string; spanId?: string } {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return { traceId: spanContext.traceId, spanId: spanContext.spanId };
}
