/** What a {@link runPool} reports as it goes. */
export interface PoolEvents<R> {
  /** Item `index` was taken by a worker. */
  onStart?(index: number): void;
  /** Item `index` finished with `result`. */
  onDone?(index: number, result: R): void;
}

/**
 * Run `work` over `items` with at most `workers` at once, taking items in order. `shouldStop` is
 * asked before each new item (items in flight always finish). Resolves to the results by index
 * (undefined for items never started) and how many were started.
 *
 * @example
 * const { results } = await runPool(pixels, 16, convertPixel, { onDone: (i, r) => progress.done(i, r) });
 */
export async function runPool<T, R>(
  items: readonly T[],
  workers: number,
  work: (item: T, index: number) => Promise<R>,
  o: PoolEvents<R> & { shouldStop?: () => boolean } = {},
): Promise<{ results: Array<R | undefined>; started: number }> {
  const results: Array<R | undefined> = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length && !o.shouldStop?.()) {
      const i = next++;
      o.onStart?.(i);
      const r = await work(items[i], i);
      results[i] = r;
      o.onDone?.(i, r);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, items.length || 1)) }, worker));
  return { results, started: next };
}
