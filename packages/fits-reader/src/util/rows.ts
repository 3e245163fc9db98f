import { FitsError } from '../errors.js';

/** Rows to read: a list (any order, duplicates allowed) or an end-exclusive range. */
export type RowSelection = number[] | { start: number; end: number };

/** A validated selection: the sorted unique rows, and how to put them back in the order asked. */
export interface RowPlan {
  /** Number of rows returned. */
  count: number;
  /** Sorted unique rows to read; undefined means the contiguous range `start…end`. */
  unique?: Int32Array | number[];
  start: number;
  end: number;
  /** For each returned row, its position in `unique` (only when the order or duplicates differ). */
  order?: Int32Array;
}

export function planRows(sel: RowSelection | undefined, total: number, hdu: number): RowPlan {
  if (sel === undefined) return { count: total, start: 0, end: total };
  if (!Array.isArray(sel)) {
    const { start, end } = sel;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > total) {
      throw new FitsError('bad-argument', `row range ${start}–${end} is outside 0–${total}`, { hdu });
    }
    return { count: end - start, start, end };
  }
  let sortedUnique = true;
  for (let i = 0; i < sel.length; i++) {
    const r = sel[i];
    if (!Number.isInteger(r) || r < 0 || r >= total) {
      throw new FitsError('bad-argument', `row ${r} is outside 0–${total - 1}`, { hdu, row: r });
    }
    if (i > 0 && r <= sel[i - 1]) sortedUnique = false;
  }
  if (sortedUnique) {
    return { count: sel.length, unique: sel, start: sel[0] ?? 0, end: sel.length ? sel[sel.length - 1] + 1 : 0 };
  }
  const unique = Int32Array.from(new Set(sel)).sort();
  const order = new Int32Array(sel.length);
  for (let i = 0; i < sel.length; i++) {
    let lo = 0;
    let hi = unique.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (unique[mid] < sel[i]) lo = mid + 1;
      else hi = mid;
    }
    order[i] = lo;
  }
  return { count: sel.length, unique, order, start: unique[0], end: unique[unique.length - 1] + 1 };
}

/** Reorder per-row blocks of `per` values from sorted-unique order into the order asked. */
export function permuteRows<T extends { length: number; [i: number]: unknown }>(
  src: T,
  order: Int32Array,
  per: number,
  make: (n: number) => T,
): T {
  const out = make(order.length * per);
  for (let i = 0; i < order.length; i++) {
    const s = order[i] * per;
    const d = i * per;
    for (let j = 0; j < per; j++) (out as Record<number, unknown>)[d + j] = src[s + j];
  }
  return out;
}
