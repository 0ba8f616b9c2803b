import type { Runner } from '../store/mapping-store';
import { mappingsFor } from '../store/mapping-store';

/** What an enrollment or a parent needs of a user or a class: its network id and whether it is active. */
export interface Ref {
  networkId: string;
  active: boolean;
}

/**
 * The network ids of the users and classes one sync run met, kept for the
 * run's later pages: an enrollment page names 1,000 users and a few classes
 * the run's own user and class pages just wrote or compared, so it need not
 * read them again. Belongs to one run (one `executeSync` call) and is filled
 * only with what that run's transactions wrote or read; a failed transaction
 * fails the run, and the cache goes with it. Misses are read from the mappings.
 */
export class RefCache {
  private readonly refs = new Map<'user' | 'class', Map<string, Ref>>([
    ['user', new Map()],
    ['class', new Map()],
  ]);

  /** @param limit most entries kept per entity type (the rest are read each time), to bound memory. */
  constructor(private readonly limit = 300_000) {}

  /** Records what the mapping of this external id now says. */
  remember(entity: string, sourceId: string, networkId: string, active: boolean): void {
    const refs = this.refs.get(entity as 'user' | 'class');
    if (!refs) return;
    const known = refs.get(sourceId);
    if (known) {
      known.networkId = networkId;
      known.active = active;
    } else if (refs.size < this.limit) refs.set(sourceId, { networkId, active });
  }

  /** The refs of these external ids that have a mapping (from the cache, the rest read in one query). */
  async lookup(
    db: Runner,
    connectionId: string,
    entity: 'user' | 'class',
    sourceIds: string[],
  ): Promise<Map<string, Ref>> {
    const refs = this.refs.get(entity)!;
    const out = new Map<string, Ref>();
    const missing: string[] = [];
    for (const id of sourceIds) {
      if (out.has(id)) continue;
      const ref = refs.get(id);
      if (ref) out.set(id, ref);
      else missing.push(id);
    }
    if (missing.length === 0) return out;
    const read = await mappingsFor(db, connectionId, entity, missing, false);
    for (const [id, row] of read) {
      out.set(id, { networkId: row.networkId, active: row.active });
      this.remember(entity, id, row.networkId, row.active);
    }
    return out;
  }
}
