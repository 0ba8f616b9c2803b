/**
 * Runs a consumer's deliveries in the order they arrived while letting neighbours of the
 * same kind overlap: a delivery whose key equals the previous one's starts at once, beside
 * it; one with another key waits until every delivery before it has settled.
 *
 * Why: with a prefetch above 1, a consumer's handlers run concurrently and the order of the
 * queue is lost. Some streams need it only between kinds of messages: lms-bridge's batches
 * of one sync run are independent of each other (row locks keep them consistent), but a
 * run's classes must be applied before its enrollments, and one run's batches before the
 * next run's. Keyed by run and type, the batches of a run overlap (a transaction waiting on
 * PostgreSQL while the next one is parsed and planned) and every boundary is kept.
 *
 * Call {@link run} synchronously in the handler, before its first `await`, so that the
 * submission order is the delivery order. It orders within one consumer (one process):
 * deliveries shared by several consumers of a group are ordered by none of them.
 */
export class OrderedOverlap {
  private key: string | undefined;
  /** Settles when the current group of same-key work may start: all earlier work settled. */
  private start: Promise<unknown> = Promise.resolve();
  /** The work of the current group still running. */
  private readonly running = new Set<Promise<unknown>>();

  /** Runs `work` after every earlier submission of another key has settled; its result is `work`'s. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    if (key !== this.key) {
      this.start = Promise.allSettled([this.start, ...this.running]);
      this.running.clear();
      this.key = key;
    }
    const result = this.start.then(work);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.running.add(settled);
    void settled.then(() => this.running.delete(settled));
    return result;
  }
}
