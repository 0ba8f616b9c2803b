import { isSpanContextValid, trace } from '@opentelemetry/api';
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * The trace and span of the active OpenTelemetry context (an HTTP request, an event being
 * handled), so a log line leads to its trace and every line of one request or event shares a
 * `trace_id`. Nothing when no span is active (no SDK registered, or outside any request).
 */
function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan()?.spanContext();
  return span && isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : {};
}

/**
 * JSON logs to stdout (or `destination`); `LOG_LEVEL` picks the level. Secrets are redacted
 * by path; each line carries the active `trace_id` and `span_id`.
 */
export function createLogger(
  name: string,
  level: string = process.env.LOG_LEVEL ?? 'info',
  destination?: DestinationStream,
): Logger {
  const options = {
    name,
    level,
    mixin: traceFields,
    redact: {
      paths: [
        'password',
        '*.password',
        'secret',
        '*.secret',
        '*.secrets',
        'secrets',
        'token',
        '*.token',
        'req.headers.authorization',
        'req.headers.cookie',
        'client_secret',
        '*.client_secret',
        'refresh_token',
        '*.refresh_token',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
