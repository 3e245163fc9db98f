import { EMLINE_COLUMNS, HDU, type PixelId } from '../datamodel.js';
import { i64, indexOf, tableColumns } from './columns.js';
import type { OpenProduct } from './sources.js';

/**
 * The emission-line columns of the selected targets, matched by TARGETID (NaN where a target has no
 * row). The table is read once, all rows: matching needs every TARGETID, and a FITS table is stored
 * row by row, so TARGETID alone costs the same bytes as the whole table (345 bytes a row).
 */
export async function readEmline(p: OpenProduct, targetId: BigInt64Array, pixel: PixelId): Promise<Record<string, Float64Array>> {
  const have = await tableColumns(p, HDU.emline, { pixel, product: 'emline' });
  const cols = EMLINE_COLUMNS.filter((c) => have.has(c));
  const t = await p.fits.readTable(HDU.emline, { columns: ['TARGETID', ...cols] });
  const pos = indexOf(i64(t.columns.TARGETID));
  const rows = Array.from(targetId, (id) => pos.get(id));
  const out: Record<string, Float64Array> = {};
  for (const c of EMLINE_COLUMNS) {
    const v = new Float64Array(targetId.length).fill(Number.NaN);
    const src = t.columns[c] as ArrayLike<number> | undefined;
    if (src) for (let k = 0; k < rows.length; k++) if (rows[k] !== undefined) v[k] = Number(src[rows[k] as number]);
    out[c.toLowerCase()] = v;
  }
  return out;
}
