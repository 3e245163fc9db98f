import type { ColumnData, NumericArray } from '@desi/fits-reader';
import type { PixelId, Product } from '../datamodel.js';
import { FusionError } from '../errors.js';
import type { OpenProduct } from './sources.js';

/** Table columns as read, keyed by name. */
export type Cols = Record<string, ColumnData>;

export function f64(a: ColumnData): Float64Array {
  if (a instanceof Float64Array) return a;
  return Float64Array.from(a as ArrayLike<number>, Number);
}

export function i64(a: ColumnData): BigInt64Array {
  if (a instanceof BigInt64Array) return a;
  return BigInt64Array.from(a as ArrayLike<number>, (v) => BigInt(v));
}

export function strip(a: ColumnData): string[] {
  return (a as string[]).map((s) => s.trim());
}

export function int32View(a: NumericArray): Int32Array {
  if (a instanceof Int32Array) return a;
  if (a instanceof Uint32Array) return new Int32Array(a.buffer, a.byteOffset, a.length);
  return Int32Array.from(a as ArrayLike<number>);
}

/** The upper-cased column names of a product's table HDU; a `bad-file` error when there is no such table. */
export async function tableColumns(p: OpenProduct, hdu: string, ctx: { pixel?: PixelId; product: Product }): Promise<Set<string>> {
  const info = (await p.fits.hdus()).find((h) => h.name?.toUpperCase() === hdu);
  if (!info?.columns) throw new FusionError('bad-file', `no ${hdu} table`, { ...ctx, file: p.name });
  return new Set(info.columns.map((c) => c.name.toUpperCase()));
}

/** `want`, after checking the table has every one of those columns. */
export async function columnsOf(
  p: OpenProduct,
  hdu: string,
  want: string[],
  ctx: { pixel?: PixelId; product: Product },
): Promise<string[]> {
  const have = await tableColumns(p, hdu, ctx);
  const missing = want.filter((w) => !have.has(w));
  if (missing.length) throw new FusionError('bad-file', `${hdu} has no column ${missing.join(', ')}`, { ...ctx, file: p.name });
  return want;
}

/** Map TARGETIDs to row numbers. */
export function indexOf(ids: BigInt64Array): Map<bigint, number> {
  const m = new Map<bigint, number>();
  for (let i = 0; i < ids.length; i++) if (!m.has(ids[i])) m.set(ids[i], i);
  return m;
}
