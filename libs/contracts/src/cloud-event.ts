import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';

/**
 * A CloudEvents 1.0 envelope (structured mode, JSON). Every cross-service fact of
 * mathnet travels in one of these; `data` is validated against the schema of its
 * `type` in {@link eventDataSchemas}.
 */
export const cloudEventSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.string().min(1),
  source: z.string().min(1),
  type: z.string().regex(/^mathnet\.[a-z0-9_-]+\.[a-z0-9_.-]+$/),
  time: z.string().datetime({ offset: true }),
  subject: z.string().optional(),
  datacontenttype: z.literal('application/json').optional(),
  data: z.unknown(),
  /** W3C trace context of the producer (CloudEvents distributed tracing extension). */
  traceparent: z.string().optional(),
  tracestate: z.string().optional(),
});

export type CloudEvent<T = unknown> = Omit<z.infer<typeof cloudEventSchema>, 'data'> & { data: T };

export interface NewEvent<T = unknown> {
  /** `/mathnet/<service>` */
  source: string;
  /** `mathnet.<service>.<entity>.<verb>` */
  type: string;
  subject?: string;
  data: T;
  traceparent?: string;
  /** Defaults to a new UUIDv7 (time-ordered, so ids sort by creation). */
  id?: string;
  time?: Date;
}

/** Builds a CloudEvents 1.0 envelope with a UUIDv7 id. */
export function createEvent<T>(event: NewEvent<T>): CloudEvent<T> {
  return {
    specversion: '1.0',
    id: event.id ?? uuidv7(),
    source: event.source,
    type: event.type,
    time: (event.time ?? new Date()).toISOString(),
    ...(event.subject !== undefined ? { subject: event.subject } : {}),
    datacontenttype: 'application/json',
    data: event.data,
    ...(event.traceparent !== undefined ? { traceparent: event.traceparent } : {}),
  };
}
