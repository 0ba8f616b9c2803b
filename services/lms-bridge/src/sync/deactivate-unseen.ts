import type { LmsClassFact, LmsEnrollmentFact, LmsPersonFact } from '@mathnet/contracts';
import type { Db, UnitOfWork } from '@mathnet/db';
import { eq, sql } from 'drizzle-orm';
import { activeSourceIds, type MappingEntity, mappingsFor, upsertMappings } from '../store/mapping-store';
import { type RunCounts, runs } from '../store/schema';
import { fingerprintOf } from './fact-builder';
import type { RunScope } from './reconcile';

/** What disappears with an entity type of a bulk pull: its mappings, the event and the event's list. */
export interface Deactivatable {
  entity: MappingEntity;
  type: string;
  key: string;
}

/** The external ids of active mappings of one entity type the run did not see, read 20,000 at a time. */
async function unseen(
  db: Db,
  connectionId: string,
  entity: MappingEntity,
  seen: Set<string>,
  signal: AbortSignal,
): Promise<string[]> {
  const gone: string[] = [];
  let after: string | null = null;
  for (;;) {
    signal.throwIfAborted();
    const ids: string[] = await activeSourceIds(db, connectionId, entity, after, 20_000);
    for (const id of ids) if (!seen.has(id)) gone.push(id);
    if (ids.length < 20_000) return gone;
    after = ids.at(-1)!;
  }
}

/**
 * Deactivates what a bulk run did not see (the LMS no longer has it), 1,000
 * mappings a transaction with their event and the run's counts. Re-running it
 * (a resumed run) finds only what is still active.
 */
export async function deactivateUnseen(
  db: Db,
  work: UnitOfWork,
  scope: RunScope,
  what: Deactivatable,
  seen: Set<string>,
  counts: RunCounts,
  signal: AbortSignal,
): Promise<void> {
  const { entity, type, key } = what;
  const gone = await unseen(db, scope.connectionId, entity, seen, signal);
  for (let i = 0; i < gone.length; i += 1000) {
    signal.throwIfAborted();
    const batch = gone.slice(i, i + 1000);
    await work.run(async (tx, emit) => {
      const rows = [...(await mappingsFor(tx, scope.connectionId, entity, batch)).values()].filter(
        (m) => m.active,
      );
      if (rows.length === 0) return;
      const facts = rows.map((m) => ({
        ...(m.detail as unknown as LmsPersonFact | LmsClassFact | LmsEnrollmentFact),
        id: m.networkId,
        active: false,
      }));
      await upsertMappings(
        tx,
        scope.connectionId,
        scope.runId,
        rows.map((m, i) => ({
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
      counts.deactivated += rows.length;
      await tx.update(runs).set({ counts, heartbeatAt: sql`now()` }).where(eq(runs.id, scope.runId));
    });
  }
}
