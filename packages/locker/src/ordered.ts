/**
 * Maps an async iterable with up to `concurrency` calls in flight, yielding results in input order.
 * At most `concurrency` results wait in memory, so a listing of any length stays within a fixed footprint.
 */
export async function* mapOrdered<T, R>(
  source: AsyncIterable<T>,
  concurrency: number,
  fn: (item: T) => Promise<R>,
): AsyncIterable<R> {
  const window: Promise<R>[] = [];
  const iterator = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      while (window.length < concurrency) {
        const next = await iterator.next();
        if (next.done) break;
        const pending = fn(next.value);
        // A rejection is observed when its turn comes; this stops it being reported as unhandled before then.
        pending.catch(() => {});
        window.push(pending);
      }
      const head = window.shift();
      if (head === undefined) return;
      yield await head;
    }
  } finally {
    await iterator.return?.();
  }
}
