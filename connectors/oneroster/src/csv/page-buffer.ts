import type { EntityOf, EntityType, PulledPage, RejectedRecord } from '@mathnet/lms-sdk';

/**
 * Collects the records of one entity type into pages of `pageSize`. Rejected
 * entries ride along with the records of the same page; a page is also cut when
 * records and rejected entries together reach the size, so a file of broken
 * rows does not pile up in memory.
 */
export class PageBuffer<T extends EntityType> {
  private records: EntityOf<T>[] = [];
  private rejected: RejectedRecord[] = [];
  private delivered = 0;

  constructor(
    private readonly entity: T,
    private readonly mode: 'bulk' | 'delta',
    private readonly pageSize: number,
  ) {}

  add(record: EntityOf<T>): void {
    this.records.push(record);
  }

  reject(rejected: RejectedRecord): void {
    this.rejected.push(rejected);
  }

  /** Whether a full page is waiting. */
  get full(): boolean {
    return this.records.length + this.rejected.length >= this.pageSize;
  }

  /** Takes the next page (at most `pageSize` records). */
  take(): PulledPage<T> {
    const records = this.records.splice(0, this.pageSize);
    const rejected = this.rejected;
    this.rejected = [];
    this.delivered++;
    return { entity: this.entity, mode: this.mode, records, rejected };
  }

  /**
   * Whether anything is left to deliver. A file that was read yields at least
   * one page even when empty: an empty bulk page says "there are none now".
   */
  get pending(): boolean {
    return this.records.length > 0 || this.rejected.length > 0 || this.delivered === 0;
  }
}
