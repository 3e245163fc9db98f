import { EMLINE_COLUMNS, HDU, type PixelId } from '../datamodel.js';
import { i64, indexOf, tableColumns } from './columns.js';
import type { OpenProduct } from './sources.js';

/** The emission-line columns of the selected targets, matched by TARGETID (NaN where a target has no row). */
export async function readEmline(p: OpenProduct, targetId: BigInt64Array, pixel: PixelId): Promise<Record<string, Float64Array>> {
  const have = await tableColumns(p, HDU.emline, { pixel, product: 'emline' });
  const cols = EMLINE_COLUMNS.filter((c) => have.has(c));
  const ids = i64((await p.fits.readTable(HDU.emline, { columns: ['TARGETID'] })).columns.TARGETID);
  const pos = indexOf(ids);
  const found: number[] = [];
  const where = Array.from(targetId, (t) => {
    const r = pos.get(t);
    if (r !== undefined) found.push(r);
    return r;
  });
  const t = found.length ? await p.fits.readTable(HDU.emline, { columns: cols, rows: found }) : undefined;
  const out: Record<string, Float64Array> = {};
  for (const c of EMLINE_COLUMNS) {
    const v = new Float64Array(targetId.length).fill(Number.NaN);
    const src = t?.columns[c] as ArrayLike<number> | undefined;
    if (src) {
      let j = 0;
      for (let k = 0; k < where.length; k++) if (where[k] !== undefined) v[k] = Number(src[j++]);
    }
    out[c.toLowerCase()] = v;
  }
  return out;
}
