import type { EventBus } from '@mathnet/bus';
import type { CloudEvent } from '@mathnet/contracts';
import type { Logger } from '@mathnet/kit';
import { and, asc, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import type { Db } from './database';
import type { InboxTable } from './inbox-table';
import type { OutboxTable } from './outbox-table';

export interface OutboxRelayOptions {
  db: Db;
  /** The service's outbox table (see `defineOutboxTable`). */
  outbox: OutboxTable;
  /** The service's inbox (see `defineInboxTable`), whose old rows the relay's hourly cleanup deletes too. */
  inbox?: InboxTable;
  /** Only `publish` is used; it must resolve only once the broker confirmed every event. */
  bus: Pick<EventBus, 'publish'>;
  logger: Logger;
  /** Rows per cycle, published in one `bus.publish` call. Default 500. */
  batchSize?: number;
  /** How often to look for rows when nobody wakes the relay (other replicas' commits). Default 1000 ms. */
  pollIntervalMs?: number;
}

type OutboxRow = OutboxTable['$inferSelect'];
type CycleOutcome = { published: number; error?: undefined } | { published: 0; error: unknown };

const maxBackoffMs = 5000;
const cleanupEveryMs = 60 * 60 * 1000;
const lastErrorMaxLength = 2000;

/**
 * Publishes a service's outbox to the bus. Each cycle, in one transaction, it locks the oldest
 * unsent rows (`FOR UPDATE SKIP LOCKED`, so replicas on one database take different rows),
 * publishes them in one `bus.publish` call and marks them sent. When publish fails the
 * transaction rolls back (rows stay unsent, in order), the attempt is recorded on the rows and
 * the relay retries with exponential backoff up to 5 s: a broker outage delays events, never
 * loses or skips one. Delivery is at least once (a crash between publish and commit republishes).
 * Sent rows older than 7 days are deleted, at most once an hour, and so are the rows of the
 * service's inbox processed more than 30 days ago: a duplicate comes within minutes (a
 * redelivery, a relay that republished after a crash), and an event parked in the dead
 * letters never wrote its inbox row, so a replay even months later is still applied once.
 *
 * On PGlite (one connection) the cycle's transaction holds the whole database while `publish`
 * runs; the in-process bus answers at once, and a disconnected AMQP bus rejects at once.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private loop: Promise<void> | undefined;
  private closed = false;
  private wakeRequested = false;
  /** Ends the current sleep of the loop early (wake or close). */
  private interruptSleep: ((reason: 'wake' | 'close') => void) | undefined;
  /** Cycles of the loop and of drain() run one at a time. */
  private cycleTail: Promise<unknown> = Promise.resolve();
  private failures = 0;
  private lastError: unknown;
  private lastCleanupAt = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
  }

  /** Starts the background loop (idempotent). */
  start(): void {
    if (this.closed) throw new Error('outbox relay is closed');
    this.loop ??= this.runLoop();
  }

  /** Asks for a cycle now (after a commit that wrote outbox rows); cheap, never throws. */
  wake(): void {
    this.wakeRequested = true;
    this.interruptSleep?.('wake');
  }

  /**
   * Publishes until no unsent row remains (for tests and shutdown), retrying failed publishes
   * with backoff; rejects when rows are still unsent after `timeoutMs` (default 30 s).
   */
  async drain(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const outcome = await this.cycleExclusive();
      let unsent: number | undefined;
      if (outcome.error === undefined && outcome.published < this.batchSize) {
        unsent = await this.options.db.$count(this.options.outbox, isNull(this.options.outbox.sentAt));
        if (unsent === 0) return;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        const why =
          this.lastError === undefined ? '' : ` (last publish error: ${errorMessage(this.lastError)})`;
        throw new Error(`outbox relay: rows still unsent after ${timeoutMs} ms${why}`);
      }
      // After a failure back off; with nothing published the rows are held by another relay.
      if (outcome.error !== undefined) await delay(Math.min(this.backoffMs(), remaining));
      else if (outcome.published === 0 && unsent !== undefined) await delay(Math.min(50, remaining));
    }
  }

  /** Stops the loop after the cycle in flight; rows not yet published stay in the outbox. */
  async close(): Promise<void> {
    this.closed = true;
    this.interruptSleep?.('close');
    await this.loop;
    await this.cycleTail;
  }

  private async runLoop(): Promise<void> {
    while (!this.closed) {
      this.wakeRequested = false;
      const outcome = await this.cycleExclusive();
      if (this.closed) break;
      if (outcome.error !== undefined) {
        // A wake must not cut the backoff short: commits keep coming while the broker is down.
        await this.sleep(this.backoffMs(), false);
      } else if (outcome.published < this.batchSize && !this.wakeRequested) {
        await this.sleep(this.pollIntervalMs, true);
      }
    }
  }

  private sleep(ms: number, wakeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.interruptSleep = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.interruptSleep = (reason) => {
        if (reason === 'close' || wakeable) done();
      };
    });
  }

  private backoffMs(): number {
    const base = Math.min(maxBackoffMs, 100 * 2 ** Math.max(0, this.failures - 1));
    // Jitter so replicas that failed together do not retry in lockstep.
    return Math.round(base * (0.9 + Math.random() * 0.2));
  }

  private cycleExclusive(): Promise<CycleOutcome> {
    const next = this.cycleTail.then(() => this.cycle());
    this.cycleTail = next.catch(() => undefined);
    return next;
  }

  /** One batch; never throws (failures come back in the outcome). */
  private async cycle(): Promise<CycleOutcome> {
    const { db, outbox, bus, logger } = this.options;
    await this.cleanupIfDue();
    let batch: OutboxRow[] = [];
    try {
      const published = await db.transaction(async (tx) => {
        batch = await tx
          .select()
          .from(outbox)
          .where(isNull(outbox.sentAt))
          .orderBy(asc(outbox.seq))
          .limit(this.batchSize)
          .for('update', { skipLocked: true });
        if (batch.length === 0) return 0;
        await bus.publish(batch.map(toCloudEvent));
        const seqs = batch.map((row) => row.seq);
        await tx.update(outbox).set({ sentAt: sql`now()` }).where(inArray(outbox.seq, seqs));
        return batch.length;
      });
      if (this.failures > 0)
        logger.info({ published, afterFailures: this.failures }, 'outbox relay: publishing again');
      this.failures = 0;
      this.lastError = undefined;
      if (published > 0) logger.debug({ published }, 'outbox relay: published events');
      return { published };
    } catch (error) {
      this.failures++;
      this.lastError = error;
      logger.warn(
        { err: error, rows: batch.length, failures: this.failures },
        'outbox relay: publish failed, rows stay unsent and will be retried',
      );
      await this.recordFailure(batch, error);
      return { published: 0, error };
    }
  }

  /** Separate statement: the cycle's transaction rolled back, and with it anything it wrote. */
  private async recordFailure(batch: OutboxRow[], error: unknown): Promise<void> {
    if (batch.length === 0) return;
    const { db, outbox, logger } = this.options;
    try {
      await db
        .update(outbox)
        .set({
          attempts: sql`${outbox.attempts} + 1`,
          lastError: errorMessage(error).slice(0, lastErrorMaxLength),
        })
        .where(
          and(
            inArray(
              outbox.seq,
              batch.map((row) => row.seq),
            ),
            isNull(outbox.sentAt),
          ),
        );
    } catch (recordError) {
      logger.warn({ err: recordError }, 'outbox relay: could not record the failed attempt');
    }
  }

  private async cleanupIfDue(): Promise<void> {
    if (Date.now() - this.lastCleanupAt < cleanupEveryMs) return;
    this.lastCleanupAt = Date.now();
    const { outbox, inbox } = this.options;
    await this.deleteOld(
      sql`delete from ${outbox} where ${outbox.sentAt} < now() - interval '7 days'`,
      'outbox rows sent over 7 days ago',
    );
    if (inbox)
      await this.deleteOld(
        sql`delete from ${inbox} where ${inbox.processedAt} < now() - interval '30 days'`,
        'inbox rows processed over 30 days ago',
      );
  }

  /** Runs a DELETE and logs how many rows went; the count comes back as one row, not the rows themselves. */
  private async deleteOld(remove: SQL, what: string): Promise<void> {
    const { db, logger } = this.options;
    try {
      const { rows } = await db.execute<{ n: number }>(
        sql`with gone as (${remove} returning 1) select count(*)::int as n from gone`,
      );
      const deleted = rows[0]?.n ?? 0;
      if (deleted > 0) logger.info({ deleted }, `outbox relay: deleted ${what}`);
    } catch (error) {
      logger.warn({ err: error }, `outbox relay: cleanup of ${what} failed`);
    }
  }
}

function toCloudEvent(row: OutboxRow): CloudEvent {
  return {
    specversion: '1.0',
    id: row.id,
    source: row.source,
    type: row.type,
    time: row.time.toISOString(),
    ...(row.subject !== null ? { subject: row.subject } : {}),
    datacontenttype: 'application/json',
    data: row.data,
    ...(row.traceparent !== null ? { traceparent: row.traceparent } : {}),
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
