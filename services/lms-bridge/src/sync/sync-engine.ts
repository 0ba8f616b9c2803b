import type { LmsClassFact, LmsEnrollmentFact, LmsPersonFact } from '@mathnet/contracts';
import type { Db, UnitOfWork } from '@mathnet/db';
import type { Logger } from '@mathnet/kit';
import type { ImportSource, LmsSession, PulledPage } from '@mathnet/lms-sdk';
import { eq, sql } from 'drizzle-orm';
import { type MappingEntity, unseenActive, upsertMappings } from '../store/mapping-store';
import { type RunCounts, type RunError, runs } from '../store/schema';
import { fingerprintOf } from './fact-builder';
import { applyPage, type RunScope } from './page-applier';

/** Most per-record errors a run report keeps (the count keeps counting). */
export const maxReportedErrors = 1000;

type PullName = 'pullRoster' | 'pullCourses' | 'pullGrades';

export interface SyncJob {
  scope: RunScope;
  session: LmsSession;
  pulls: PullName[];
  source?: ImportSource;
  /** Counts, errors and checkpoint as the run row has them (a resumed run continues from them). */
  counts: RunCounts;
  errors: RunError[];
  checkpoint: Record<string, number>;
  signal: AbortSignal;
  pageSize: number;
}

const deactivatable: {
  entity: MappingEntity;
  pageEntity: PulledPage['entity'];
  type: string;
  key: string;
}[] = [
  {
    entity: 'enrollment',
    pageEntity: 'enrollments',
    type: 'mathnet.lms.enrollments.synced',
    key: 'enrollments',
  },
  { entity: 'class', pageEntity: 'classes', type: 'mathnet.lms.classes.synced', key: 'classes' },
  { entity: 'user', pageEntity: 'users', type: 'mathnet.lms.people.synced', key: 'people' },
];

function add(into: RunCounts, delta: RunCounts): void {
  into.created += delta.created;
  into.updated += delta.updated;
  into.deactivated += delta.deactivated;
  into.unchanged += delta.unchanged;
  into.failed += delta.failed;
}

/**
 * One sync run: pulls page by page and applies each page in its own transaction
 * together with the run's counts and checkpoint (so a record is never half
 * applied, and a crashed run resumes after the last applied page), then — for
 * bulk pulls — deactivates what the LMS no longer has.
 */
export async function executeSync(
  db: Db,
  work: UnitOfWork,
  logger: Logger,
  job: SyncJob,
): Promise<RunCounts> {
  const { scope, counts, errors, checkpoint } = job;
  const bulkEntities = new Set<string>();
  for (const pull of job.pulls) {
    const method = job.session[pull];
    if (!method) continue;
    const pageIndex: Record<string, number> = {};
    const pages = method.call(job.session, {
      signal: job.signal,
      pageSize: job.pageSize,
      ...(job.source ? { source: job.source } : {}),
    });
    for await (const page of pages) {
      job.signal.throwIfAborted();
      if (page.mode === 'bulk') bulkEntities.add(page.entity);
      const key = `${pull}:${page.entity}`;
      pageIndex[key] = (pageIndex[key] ?? 0) + 1;
      if (pageIndex[key]! <= (checkpoint[key] ?? 0)) continue;
      await work.run(async (tx, emit) => {
        const outcome = await applyPage(tx, emit, scope, page);
        add(counts, outcome.counts);
        for (const e of outcome.errors) if (errors.length < maxReportedErrors) errors.push(e);
        checkpoint[key] = pageIndex[key]!;
        await tx
          .update(runs)
          .set({ counts, errors, checkpoint, heartbeatAt: sql`now()` })
          .where(eq(runs.id, scope.runId));
      });
    }
  }
  for (const { entity, pageEntity, type, key } of deactivatable) {
    if (!bulkEntities.has(pageEntity)) continue;
    for (;;) {
      job.signal.throwIfAborted();
      const done = await work.run(async (tx, emit) => {
        const gone = await unseenActive(tx, scope.connectionId, entity, scope.runId, 1000);
        if (gone.length === 0) return true;
        const facts = gone.map((m) => ({
          ...(m.detail as unknown as LmsPersonFact | LmsClassFact | LmsEnrollmentFact),
          id: m.networkId,
          active: false,
        }));
        await upsertMappings(
          tx,
          scope.connectionId,
          scope.runId,
          gone.map((m, i) => ({
            entity,
            sourceId: m.sourceId,
            networkId: m.networkId,
            fingerprint: fingerprintOf(facts[i]!),
            active: false,
            detail: facts[i] as unknown as Record<string, unknown>,
          })),
        );
        emit({
          type,
          data: {
            runId: scope.runId,
            connectionId: scope.connectionId,
            organisationId: scope.organisationId,
            [key]: facts,
          },
        });
        counts.deactivated += gone.length;
        await tx.update(runs).set({ counts, heartbeatAt: sql`now()` }).where(eq(runs.id, scope.runId));
        return false;
      });
      if (done) break;
    }
  }
  logger.info({ runId: scope.runId, counts }, 'sync run applied');
  return counts;
}
