import type { Db, UnitOfWork } from '@mathnet/db';
import type { Logger } from '@mathnet/kit';
import { ConnectorError, type ImportSource } from '@mathnet/lms-sdk';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import type { ConnectionOpener } from '../connectors/connection-opener';
import { connections, type RunCounts, runs, uploads } from '../store/schema';
import { executeSync } from './sync-engine';

export interface RunWorkerOptions {
  db: Db;
  work: UnitOfWork;
  logger: Logger;
  opener: ConnectionOpener;
  pollMs: number;
  /** A running run whose heartbeat is older than this is taken over (its process died). */
  staleMs: number;
  maxAttempts?: number;
  /** Records per page asked of connectors. */
  pageSize?: number;
}

type RunRow = typeof runs.$inferSelect;

/**
 * Records per page when the configuration does not say (LMS_PAGE_SIZE): a page
 * of 1,000 is one people event, a fifth of an enrollments event, and halves the
 * per-page costs (transaction, checkpoint, look-ups) of the old 500.
 */
export const defaultPageSize = 1000;

/**
 * Executes queued runs one at a time, resumes runs whose process died (stale
 * heartbeat), and queues scheduled syncs when they are due. Several bridge
 * replicas may run workers: claiming uses `FOR UPDATE SKIP LOCKED`.
 */
export class RunWorker {
  private timer: NodeJS.Timeout | undefined;
  private active: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private closed = false;

  constructor(private readonly options: RunWorkerOptions) {}

  start(): void {
    this.schedule(0);
  }

  /** Looks for work now (after a run was queued). */
  poke(): void {
    if (!this.active && !this.closed) this.schedule(0);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.abort.abort(new Error('the bridge is shutting down'));
    await this.active?.catch(() => undefined);
  }

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.active = this.tick().finally(() => {
        this.active = undefined;
        if (!this.closed) this.schedule(this.options.pollMs);
      });
    }, delay);
  }

  private async tick(): Promise<void> {
    try {
      await this.queueDueSchedules();
      for (let run = await this.claim(); run && !this.closed; run = await this.claim())
        await this.execute(run);
    } catch (error) {
      if (!this.closed) this.options.logger.error({ err: error }, 'run worker cycle failed');
    }
  }

  private async claim(): Promise<RunRow | undefined> {
    const stale = `${this.options.staleMs} milliseconds`;
    const [run] = await this.options.db
      .update(runs)
      .set({
        status: 'running',
        attempts: sql`${runs.attempts} + 1`,
        startedAt: sql`coalesce(${runs.startedAt}, now())`,
        heartbeatAt: sql`now()`,
      })
      .where(
        sql`${runs.id} = (select id from ${runs} where ${runs.status} = 'queued' or (${runs.status} = 'running' and ${runs.heartbeatAt} < now() - ${stale}::interval) order by ${runs.createdAt} limit 1 for update skip locked)`,
      )
      .returning();
    return run;
  }

  private async finish(
    run: RunRow,
    status: 'succeeded' | 'failed',
    counts: RunCounts,
    error?: string,
  ): Promise<void> {
    const { work } = this.options;
    await work.run(async (tx, emit) => {
      await tx
        .update(runs)
        .set({ status, counts, error: error ?? null, finishedAt: sql`now()` })
        .where(eq(runs.id, run.id));
      await tx
        .update(connections)
        .set({ lastRunAt: sql`now()`, lastError: error ?? null })
        .where(eq(connections.id, run.connectionId));
      const header = { runId: run.id, connectionId: run.connectionId, organisationId: run.organisationId };
      emit(
        status === 'succeeded'
          ? { type: 'mathnet.lms.sync.completed', data: { ...header, counts } }
          : { type: 'mathnet.lms.sync.failed', data: { ...header, counts, error: error ?? 'failed' } },
      );
    });
  }

  private async execute(run: RunRow): Promise<void> {
    const { db, logger, opener, work } = this.options;
    const maxAttempts = this.options.maxAttempts ?? 5;
    const counts = { ...run.counts };
    if (run.attempts > maxAttempts) {
      await this.finish(run, 'failed', counts, `gave up after ${maxAttempts} attempts`);
      return;
    }
    const heartbeat = setInterval(
      () => {
        void db
          .update(runs)
          .set({ heartbeatAt: sql`now()` })
          .where(eq(runs.id, run.id))
          .catch(() => undefined);
      },
      Math.max(200, Math.floor(this.options.staleMs / 3)),
    );
    try {
      const opened = await opener.open(run.connectionId);
      let source: ImportSource | undefined;
      if (run.uploadId) {
        const [upload] = await db
          .select({ data: uploads.data })
          .from(uploads)
          .where(eq(uploads.id, run.uploadId));
        if (!upload) throw new Error('the uploaded file of this run is gone');
        source = { kind: 'bytes', data: upload.data };
      }
      if (run.attempts === 1) {
        await work.run(async (_tx, emit) => {
          emit({
            type: 'mathnet.lms.sync.started',
            data: {
              runId: run.id,
              connectionId: run.connectionId,
              organisationId: run.organisationId,
              trigger: run.trigger,
              connector: opened.definition.id,
            },
          });
        });
      }
      const caps = opened.definition.capabilities;
      // An import reads everything the file has; a sync pulls what the connector can.
      const pulls = [
        ...(caps.includes('roster.pull')
          ? ['pullRoster']
          : caps.includes('courses.pull')
            ? ['pullCourses']
            : []),
        ...(caps.includes('grades.pull') ? ['pullGrades'] : []),
      ] as ('pullRoster' | 'pullCourses' | 'pullGrades')[];
      try {
        const final = await executeSync(db, work, logger, {
          scope: { runId: run.id, connectionId: run.connectionId, organisationId: run.organisationId },
          session: opened.session,
          pulls: [...pulls],
          ...(source ? { source } : {}),
          counts,
          errors: [...run.errors],
          checkpoint: { ...run.checkpoint },
          signal: this.abort.signal,
          pageSize: this.options.pageSize ?? defaultPageSize,
        });
        await this.finish(run, 'succeeded', final);
      } finally {
        await opened.session.close?.();
      }
    } catch (error) {
      if (this.abort.signal.aborted) return; // shutting down: the run stays running and is resumed by the next worker
      const message =
        error instanceof ConnectorError
          ? `${error.code}: ${error.message}`
          : error instanceof Error
            ? error.message
            : String(error);
      logger.warn({ runId: run.id, error: message }, 'sync run failed');
      const [now] = await db.select({ counts: runs.counts }).from(runs).where(eq(runs.id, run.id));
      await this.finish(run, 'failed', now?.counts ?? counts, message);
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Queues a sync for every active scheduled connection whose last run is older than its schedule. */
  private async queueDueSchedules(): Promise<void> {
    const { db } = this.options;
    const due = await db
      .select({ id: connections.id, organisationId: connections.organisationId })
      .from(connections)
      .where(
        and(
          isNull(connections.deletedAt),
          eq(connections.status, 'active'),
          sql`${connections.scheduleMinutes} is not null`,
          sql`coalesce(${connections.lastRunAt}, 'epoch'::timestamptz) < now() - make_interval(mins => ${connections.scheduleMinutes})`,
          sql`not exists (select 1 from ${runs} where ${runs.connectionId} = ${connections.id} and ${runs.status} in ('queued', 'running'))`,
        ),
      );
    for (const c of due) {
      await db
        .insert(runs)
        .values({ id: uuidv7(), connectionId: c.id, organisationId: c.organisationId, trigger: 'schedule' });
    }
  }
}
