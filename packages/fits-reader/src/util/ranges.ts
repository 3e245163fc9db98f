/** A byte range. */
export interface ByteRange {
  offset: number;
  length: number;
}

/**
 * Merge byte ranges that overlap or lie within `maxGap` bytes of each other. The result is sorted
 * and covers every input range; gaps larger than `maxGap` are never fetched.
 *
 * @example
 * coalesceRanges([{ offset: 0, length: 10 }, { offset: 20, length: 5 }], 16); // [{ offset: 0, length: 25 }]
 */
export function coalesceRanges(ranges: readonly ByteRange[], maxGap: number): ByteRange[] {
  const sorted = ranges.filter((r) => r.length > 0).sort((a, b) => a.offset - b.offset);
  const out: ByteRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.offset <= last.offset + last.length + maxGap) {
      const end = Math.max(last.offset + last.length, r.offset + r.length);
      last.length = end - last.offset;
    } else out.push({ offset: r.offset, length: r.length });
  }
  return out;
}

/** Consecutive runs of sorted unique integers whose gaps are at most `maxGap`. */
export function runsOf(sorted: ArrayLike<number>, maxGap: number): Array<{ first: number; last: number; from: number; to: number }> {
  const runs: Array<{ first: number; last: number; from: number; to: number }> = [];
  let from = 0;
  for (let i = 1; i <= sorted.length; i++) {
    if (i === sorted.length || sorted[i] - sorted[i - 1] - 1 > maxGap) {
      runs.push({ first: sorted[from], last: sorted[i - 1], from, to: i });
      from = i;
    }
  }
  return runs;
}
