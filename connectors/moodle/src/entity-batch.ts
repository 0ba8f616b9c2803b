import {
  type EntityOf,
  type EntityType,
  entitySchemas,
  type PulledPage,
  type RejectedRecord,
} from '@mathnet/lms-sdk';
import { issuesText } from './moodle-types';

/**
 * The records of one entity type gathered during a pull: every candidate is
 * validated against the sdk schema; the invalid ones become `rejected` entries
 * (a bad record never stops a pull).
 */
export class EntityBatch<T extends EntityType> {
  readonly records: EntityOf<T>[] = [];
  readonly rejected: RejectedRecord[] = [];

  constructor(readonly entity: T) {}

  /** Validates a mapped record; returns the parsed record, or undefined when it was rejected. */
  add(candidate: unknown, sourcedId: string): EntityOf<T> | undefined {
    const parsed = entitySchemas[this.entity].safeParse(candidate);
    if (!parsed.success) {
      this.reject(sourcedId, issuesText(parsed.error));
      return undefined;
    }
    const record = parsed.data as EntityOf<T>;
    this.records.push(record);
    return record;
  }

  /** Records a Moodle record that cannot be used, with why. */
  reject(sourcedId: string | undefined, reason: string): void {
    this.rejected.push({ entity: this.entity, ...(sourcedId ? { sourcedId } : {}), reason });
  }

  /**
   * The batch as bulk pages of at most `pageSize` records. An empty batch still
   * gives one (empty) page: in a bulk pull that says "there are none now".
   * Checks the signal before each page, so an aborted pull delivers no more.
   */
  *pages(pageSize: number, signal: AbortSignal): Generator<PulledPage<T>> {
    const size = Math.max(1, Math.floor(pageSize));
    signal.throwIfAborted();
    if (this.records.length === 0) {
      yield { entity: this.entity, records: [], rejected: this.rejected, mode: 'bulk' };
      return;
    }
    for (let i = 0; i < this.records.length; i += size) {
      signal.throwIfAborted();
      yield {
        entity: this.entity,
        records: this.records.slice(i, i + size),
        rejected: i === 0 ? this.rejected : [],
        mode: 'bulk',
      };
    }
  }
}
