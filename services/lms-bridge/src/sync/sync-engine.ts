import { type Db, TableStatistics, type UnitOfWork } from '@mathnet/db';
import type { Logger } from '@mathnet/kit';
import type { ImportSource, LmsSession, PulledPage } from '@mathnet/lms-sdk';
import { eq, sql } from 'drizzle-orm';
import { upsertMappings } from '../store/mapping-store';
import { type RunCounts, type RunError, runs } from '../store/schema';
import { type Deactivatable, deactivateUnseen } from './deactivate-unseen';
import { applyPage, type RunScope, type SeenIds } from './page-applier';
import { readAhead } from './read-ahead';
import { RefCache } from './ref-cache';

/** Most per-record errors a run report keeps (the count keeps counting). */
export const maxReportedErrors = 1000;

/** A run that wrote nothing for this long saves its checkpoint anyway (progress shows; a resume redoes less). */
const checkpointEveryMs = 1000;

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

const deactivatable: (Deactivatable & { pageEntity: PulledPage['entity'] })[] = [
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
 * bulk pulls — deactivates what the LMS no longer has: the active mappings
 * whose external ids none of the run's pages had. Which ids the pages had is
 * kept in memory (a run writes nothing for a record that did not change); a
 * resumed run reads its applied pages again to know it (`replay`, no writes).
 */
export async function executeSync(
  db: Db,
  work: UnitOfWork,
  logger: Logger,
  job: SyncJob,
): Promise<RunCounts> {
  const { scope, counts, errors, checkpoint } = job;
  const bulkEntities = new Set<string>();
  const seen: SeenIds = new Map();
  const refs = new RefCache();
  const claimed = new Set<string>();
  // A run fills the mappings table; keep its statistics current (see TableStatistics).
  const stats = new TableStatistics(db, ['lms_bridge.mappings']);
  await stats.refresh();
  // The checkpoint in the run row, with the counts and errors up to it, may lag the pages
  // compared here: a page that changes nothing has nothing to lose, and a resumed run
  // compares it again from the saved counts.
  let savedAt = Date.now();
  let unsaved = false;
  const progress = () => ({ counts: { ...counts }, errors: errors.slice(), checkpoint: { ...checkpoint } });
  const save = (state: ReturnType<typeof progress>) =>
    db
      .update(runs)
      .set({ ...state, heartbeatAt: sql`now()` })
      .where(eq(runs.id, scope.runId));
  // The page being committed while the next one is worked out (a page of the same entity
  // type: its records are others, and what it tells later pages is in `refs`/`claimed`).
  let committing: { entity: string; done: Promise<void> } | undefined;
  const settle = async () => {
    const pending = committing;
    committing = undefined;
    await pending?.done;
  };
  try {
    for (const pull of job.pulls) {
      const method = job.session[pull];
      if (!method) continue;
      const pageIndex: Record<string, number> = {};
      const pages = method.call(job.session, {
        signal: job.signal,
        pageSize: job.pageSize,
        ...(job.source ? { source: job.source } : {}),
      });
      // The connector reads the next page while this one is applied.
      for await (const page of readAhead(pages)) {
        job.signal.throwIfAborted();
        if (page.mode === 'bulk') bulkEntities.add(page.entity);
        const key = `${pull}:${page.entity}`;
        const index = (pageIndex[key] ?? 0) + 1;
        pageIndex[key] = index;
        // Another entity type reads what the pages before wrote (classes their courses).
        if (committing && committing.entity !== key) await settle();
        const replay = index <= (checkpoint[key] ?? 0);
        // Applied before a crash: only which records it had matters now.
        const outcome = await applyPage(db, scope, page, { seen, refs, claimed, replay });
        if (replay) continue;

        add(counts, outcome.counts);
        for (const e of outcome.errors) if (errors.length < maxReportedErrors) errors.push(e);
        checkpoint[key] = index;
        unsaved = true;
        const state = progress();
        if (outcome.writes.length > 0 || outcome.events.length > 0) {
          await settle();
          // The page's mappings, its facts and the checkpoint after it: all or nothing.
          const done = work
            .run(async (tx, emit) => {
              await upsertMappings(tx, scope.connectionId, scope.runId, outcome.writes);
              for (const event of outcome.events) emit(event);
              await tx
                .update(runs)
                .set({ ...state, heartbeatAt: sql`now()` })
                .where(eq(runs.id, scope.runId));
            })
            .then(() => stats.wrote(outcome.writes.length));
          done.catch(() => undefined); // awaited by settle(); a failure fails the run there
          committing = { entity: key, done };
          savedAt = Date.now();
          unsaved = false;
        } else if (Date.now() - savedAt >= checkpointEveryMs) {
          await settle();
          await save(state);
          savedAt = Date.now();
          unsaved = false;
        }
      }
    }
    await settle();
  } finally {
    // A failed run still waits for its last commit, so nothing writes after it returns.
    await committing?.done.catch(() => undefined);
  }
  if (unsaved) await save(progress());
  for (const what of deactivatable) {
    if (!bulkEntities.has(what.pageEntity)) continue;
    await deactivateUnseen(db, work, scope, what, seen.get(what.entity) ?? new Set(), counts, job.signal);
    seen.delete(what.entity);
  }
  logger.info({ runId: scope.runId, counts }, 'sync run applied');
  return counts;
}
