import type { EmittedEvent } from '@mathnet/db';
import { v7 as uuidv7 } from 'uuid';
import {
  type MappingEntity,
  type MappingRow,
  type MappingWrite,
  mappingsFor,
  type Runner,
} from '../store/mapping-store';
import type { RunCounts, RunError } from '../store/schema';
import { fingerprintOf } from './fact-builder';
import type { Ref, RefCache } from './ref-cache';

/** The run a page belongs to. */
export interface RunScope {
  runId: string;
  connectionId: string;
  organisationId: string;
}

/**
 * What applying a page takes: counts and errors for the run report, the
 * mappings to write and the events to emit (written by the caller in one
 * transaction with the run's checkpoint).
 */
export interface PageOutcome {
  counts: RunCounts;
  errors: RunError[];
  writes: MappingWrite[];
  events: EmittedEvent[];
}

export const zeroCounts = (): RunCounts => ({
  created: 0,
  updated: 0,
  deactivated: 0,
  unchanged: 0,
  failed: 0,
});

export type Fact = { id: string; active: boolean };

/** The external ids, by entity type, whose records a run compared with their mappings (it saw them). */
export type SeenIds = Map<MappingEntity, Set<string>>;

/** How a page is applied beyond the page itself. */
export interface ApplyOptions {
  /** Collects what the page's records were compared for (a bulk run deactivates the rest at its end). */
  seen?: SeenIds;
  /**
   * Replays a page a crashed attempt of the run already applied: only `seen` is
   * filled (the mappings already say what the page says); no writes, no events.
   */
  replay?: boolean;
  /** Network ids and states of users and classes the run already knows (fewer look-ups per page). */
  refs?: RefCache;
  /** Network ids of people the run matched LMS users to (a person is matched once). */
  claimed?: Set<string>;
}

function markSeen(options: ApplyOptions, entity: MappingEntity, items: { sourceId: string }[]): void {
  if (!options.seen) return;
  let set = options.seen.get(entity);
  if (!set) {
    set = new Set();
    options.seen.set(entity, set);
  }
  for (const { sourceId } of items) set.add(sourceId);
}

/**
 * Decides, for facts of one entity type, what is created, updated, deactivated
 * or unchanged against the mappings; adds the mappings to write to the outcome
 * and returns the facts that changed (to emit).
 */
export function reconcile<F extends Fact>(
  entity: MappingEntity,
  items: { sourceId: string; fact: F }[],
  existing: Map<string, MappingRow>,
  outcome: PageOutcome,
  options: ApplyOptions,
): F[] {
  markSeen(options, entity, items);
  if (options.replay) return [];
  const { counts, writes } = outcome;
  const changed: F[] = [];
  const refs = entity === 'user' || entity === 'class' ? options.refs : undefined;
  for (const { sourceId, fact } of items) {
    const before = existing.get(sourceId);
    const fingerprint = fingerprintOf(fact);
    if (!before) {
      if (!fact.active) {
        counts.unchanged += 1;
        continue;
      }
      counts.created += 1;
    } else if (before.fingerprint === fingerprint && before.active === fact.active) {
      counts.unchanged += 1;
      refs?.remember(entity, sourceId, before.networkId, before.active);
      continue;
    } else if (!fact.active) {
      if (before.active) counts.deactivated += 1;
      else counts.unchanged += 1;
    } else {
      counts.updated += 1;
    }
    changed.push(fact);
    refs?.remember(entity, sourceId, fact.id, fact.active);
    writes.push({
      entity,
      sourceId,
      networkId: fact.id,
      fingerprint,
      active: fact.active,
      detail: fact as unknown as Record<string, unknown>,
    });
  }
  return changed;
}

/** Keeps reference data (sessions, courses, line items) as mappings with their details; no facts, no counts. */
export async function keepReference(
  db: Runner,
  scope: RunScope,
  entity: MappingEntity,
  records: { sourcedId: string; status: string }[],
  detail: (r: never) => Record<string, unknown>,
  outcome: PageOutcome,
  options: ApplyOptions,
): Promise<void> {
  if (options.replay) return;
  const existing = await mappingsFor(
    db,
    scope.connectionId,
    entity,
    records.map((r) => r.sourcedId),
  );
  for (const r of records) {
    const d = detail(r as never);
    const before = existing.get(r.sourcedId);
    const fingerprint = fingerprintOf(d);
    const active = r.status === 'active';
    if (before && before.fingerprint === fingerprint && before.active === active) continue;
    outcome.writes.push({
      entity,
      sourceId: r.sourcedId,
      networkId: before?.networkId ?? uuidv7(),
      fingerprint,
      active,
      detail: d,
    });
  }
}

/** Network ids and states of users or classes: from the run's cache, else from the mappings. */
export function refsOf(
  db: Runner,
  scope: RunScope,
  options: ApplyOptions,
  entity: 'user' | 'class',
  sourceIds: string[],
): Promise<Map<string, Ref>> {
  if (options.refs) return options.refs.lookup(db, scope.connectionId, entity, sourceIds);
  return mappingsFor(db, scope.connectionId, entity, sourceIds, false);
}

/** `items` in slices of at most `size`. */
export const batches = <T>(items: T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};
