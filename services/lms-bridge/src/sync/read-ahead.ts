/**
 * Iterates `source` one item ahead: while the consumer works on an item, the
 * next one is already being produced (a connector parses its next page while
 * the bridge's database applies this one). Errors of the item read ahead
 * surface when the consumer gets to it; stopping early lets the pending read
 * settle, then closes the source.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<T>> | undefined = it.next();
  // Handled when awaited below; this only keeps an early stop from reporting it as unhandled.
  pending.catch(() => undefined);
  let finished = false;
  try {
    for (;;) {
      const result: IteratorResult<T> = await pending;
      pending = undefined;
      if (result.done) {
        finished = true;
        return;
      }
      pending = it.next();
      pending.catch(() => undefined);
      yield result.value;
    }
  } finally {
    if (!finished) {
      const last = await pending?.catch(() => undefined);
      if (!last?.done) await it.return?.(undefined);
    }
  }
}
