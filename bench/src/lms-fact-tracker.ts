import type { LmsNetwork } from './lms-network';

/** The fact kinds of the bridge's batches (`mathnet.lms.<kind>.synced`). */
export type FactKind = 'people' | 'classes' | 'enrollments' | 'grades';

/** The consumer of each kind: registry takes people, courses the rest. */
const consumerOf = (kind: FactKind) => (kind === 'people' ? 'registry' : 'courses');

const nil = '00000000-0000-0000-0000-000000000000';

/**
 * The fact batches the bridge published since the tracker was made, and which of them
 * registry and courses have handled (their inbox rows): a cheap way to know how far an
 * import has come without counting hundreds of thousands of rows every poll. Each batch
 * is read once (its size from the event's data); inbox rows are small.
 */
export class FactTracker {
  private readonly batches = new Map<string, { kind: FactKind; facts: number }>();
  private readonly handled = { registry: new Set<string>(), courses: new Set<string>() };

  private constructor(
    private readonly network: LmsNetwork,
    private lastSeq: number,
    private readonly mark: string,
  ) {}

  /** A tracker of the batches published from now on. */
  static async start(network: LmsNetwork): Promise<FactTracker> {
    const { rows } = await network.bridgeDb.query<{ seq: string | null; id: string | null }>(
      'select max(seq) as seq, (select id from lms_bridge.outbox order by seq desc limit 1) as id from lms_bridge.outbox',
    );
    // Bridge event ids are UUIDv7 from one process: later batches have greater ids.
    return new FactTracker(network, Number(rows[0]?.seq ?? 0), rows[0]?.id ?? nil);
  }

  /** Reads the batches published and handled since the last call. */
  async refresh(): Promise<void> {
    const { bridgeDb, registryDb, coursesDb } = this.network;
    const fresh = await bridgeDb.query<{ seq: string; id: string; type: string; facts: number }>(
      `select seq, id, type,
         coalesce(jsonb_array_length(data->'people'), jsonb_array_length(data->'classes'),
                  jsonb_array_length(data->'enrollments'), jsonb_array_length(data->'grades'), 0) as facts
       from lms_bridge.outbox where seq > $1 and type like 'mathnet.lms.%.synced' order by seq`,
      [this.lastSeq],
    );
    for (const row of fresh.rows) {
      this.lastSeq = Math.max(this.lastSeq, Number(row.seq));
      this.batches.set(row.id, { kind: row.type.split('.')[2] as FactKind, facts: row.facts });
    }
    for (const [consumer, db, schema, group] of [
      ['registry', registryDb, 'registry', 'registry.lms-people'],
      ['courses', coursesDb, 'courses', 'courses.lms-facts'],
    ] as const) {
      const { rows } = await db.query<{ id: string }>(
        `select event_id as id from ${schema}.inbox where consumer_group = $1 and event_id > $2`,
        [group, this.mark],
      );
      for (const r of rows) this.handled[consumer].add(r.id);
    }
  }

  /** Facts of a kind published so far, and how many of them its consumer has handled. */
  facts(kind: FactKind): { published: number; handled: number } {
    let published = 0;
    let handled = 0;
    const done = this.handled[consumerOf(kind)];
    for (const [id, batch] of this.batches) {
      if (batch.kind !== kind) continue;
      published += batch.facts;
      if (done.has(id)) handled += batch.facts;
    }
    return { published, handled };
  }

  /** Whether the consumer has handled every batch published for it so far. */
  caughtUp(consumer: 'registry' | 'courses'): boolean {
    for (const [id, batch] of this.batches)
      if (consumerOf(batch.kind) === consumer && !this.handled[consumer].has(id)) return false;
    return true;
  }
}
