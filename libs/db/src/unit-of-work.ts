import { cloudEventSchema, createEvent, eventDataSchemas, isKnownEventType } from '@mathnet/contracts';
import { context, propagation } from '@opentelemetry/api';
import { sql } from 'drizzle-orm';
import type { Db, Tx } from './database';
import type { OutboxRelay } from './outbox-relay';
import type { OutboxTable } from './outbox-table';

/** What a unit of work emits: the rest of the CloudEvent (id, source, time, traceparent) is filled in. */
export interface EmittedEvent {
  /** `mathnet.<service>.<entity>.<verb>`; when it is a known type its `data` is validated. */
  type: string;
  subject?: string;
  data: unknown;
}

type OutboxRow = OutboxTable['$inferInsert'];

/** Records an event to be written to the outbox when the unit of work commits. */
export type Emit = (event: EmittedEvent) => void;

export interface UnitOfWorkOptions {
  db: Db;
  /** The service's outbox table (see `defineOutboxTable`). */
  outbox: OutboxTable;
  /** CloudEvent source of every event: `/mathnet/<service>`. */
  source: string;
  /** Woken after each commit that emitted events, so they go out without waiting for a poll. */
  relay?: Pick<OutboxRelay, 'wake'>;
}

/**
 * The one way a service changes state and emits events atomically (transactional outbox):
 * `run` executes the work in a transaction and, before commit, writes every emitted event
 * into the outbox; if the work throws, neither the state change nor the events are written.
 *
 * ```ts
 * const order = await uow.run(async (tx, emit) => {
 *   const [row] = await tx.insert(orders).values(input).returning();
 *   emit({ type: 'mathnet.shop.order.placed', subject: row.id, data: row });
 *   return row;
 * });
 * ```
 */
export class UnitOfWork {
  constructor(private readonly options: UnitOfWorkOptions) {}

  /**
   * Runs `work` in one transaction. `emit` validates the event at once (an invalid payload
   * of a known type throws: a programming error) and captures the active trace context.
   */
  async run<T>(work: (tx: Tx, emit: Emit) => Promise<T>): Promise<T> {
    const { db, outbox, source, relay } = this.options;
    let emitted = 0;
    const result = await db.transaction(async (tx) => {
      const rows: OutboxRow[] = [];
      let open = true;
      const emit: Emit = (event) => {
        if (!open) throw new Error(`emit(${event.type}) called after its unit of work finished`);
        rows.push(toOutboxRow(source, event));
      };
      try {
        const value = await work(tx, emit);
        if (rows.length > 0) await insertOutboxRows(tx, outbox, rows);
        emitted = rows.length;
        return value;
      } finally {
        open = false;
      }
    });
    if (emitted > 0) relay?.wake();
    return result;
  }
}

/**
 * One INSERT for all of a unit of work's events, its values as one array parameter per column
 * (`unnest`): building and binding it stays cheap at any count, where the query builder's
 * per-value parameters cost tens of ms for hundreds of rows.
 */
async function insertOutboxRows(tx: Tx, outbox: OutboxTable, rows: OutboxRow[]): Promise<void> {
  const columns: [name: string, type: string, value: (row: OutboxRow) => unknown][] = [
    [outbox.id.name, 'uuid', (r) => r.id],
    [outbox.type.name, 'text', (r) => r.type],
    [outbox.source.name, 'text', (r) => r.source],
    [outbox.subject.name, 'text', (r) => r.subject ?? null],
    [outbox.time.name, 'timestamptz', (r) => r.time.toISOString()],
    [outbox.data.name, 'jsonb', (r) => JSON.stringify(r.data)],
    [outbox.traceparent.name, 'text', (r) => r.traceparent ?? null],
  ];
  const names = sql.join(
    columns.map(([name]) => sql.identifier(name)),
    sql`, `,
  );
  const arrays = sql.join(
    columns.map(([, type, value]) => sql`${sql.param(rows.map(value))}::${sql.raw(type)}[]`),
    sql`, `,
  );
  await tx.execute(sql`insert into ${outbox} (${names}) select * from unnest(${arrays})`);
}

function toOutboxRow(source: string, event: EmittedEvent): OutboxRow {
  if (!cloudEventSchema.shape.type.safeParse(event.type).success) {
    throw new Error(`event type "${event.type}" is not of the form mathnet.<service>.<entity>.<verb>`);
  }
  let data = event.data;
  if (isKnownEventType(event.type)) {
    const parsed = eventDataSchemas[event.type].safeParse(data);
    if (!parsed.success) {
      const issues = parsed.error.issues.map(
        (issue) => `${issue.path.join('.') || '(data)'}: ${issue.message}`,
      );
      throw new Error(`invalid data for event ${event.type}: ${issues.join('; ')}`);
    }
    data = parsed.data;
  }
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const cloudEvent = createEvent({
    source,
    type: event.type,
    data,
    ...(event.subject !== undefined ? { subject: event.subject } : {}),
    ...(carrier.traceparent !== undefined ? { traceparent: carrier.traceparent } : {}),
  });
  return {
    id: cloudEvent.id,
    type: cloudEvent.type,
    source: cloudEvent.source,
    subject: cloudEvent.subject ?? null,
    time: new Date(cloudEvent.time),
    data: cloudEvent.data,
    traceparent: cloudEvent.traceparent ?? null,
  };
}
