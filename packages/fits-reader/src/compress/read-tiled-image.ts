import { FitsError } from '../errors.js';
import type { HduContext } from '../hdu/context.js';
import { intKeyword } from '../hdu/layout.js';
import type { Header } from '../header/header.js';
import { physicalDtype, rawArrayType, toPhysical } from '../image/physical.js';
import { type Image, imageScaling, type ReadImageOptions } from '../image/read-image.js';
import type { ColumnDef } from '../table/columns.js';
import type { NumericArray } from '../table/decode-binary.js';
import { readBinaryTable } from '../table/read-binary.js';
import { permuteRows, planRows } from '../util/rows.js';
import { type TileColumns, TileDecoder } from './tile-codec.js';
import { placeTile, tileBox, tileGrid, tilesCovering } from './tile-grid.js';

const DATA_COLUMNS = ['COMPRESSED_DATA', 'GZIP_COMPRESSED_DATA', 'UNCOMPRESSED_DATA'];
const TILE_NUMBERS = ['ZSCALE', 'ZZERO', 'ZBLANK'];

/**
 * The table columns that hold the tiles, by their names in the file (matched case-insensitively),
 * after checking they have the types the convention gives them: a zero-width or fixed-width data
 * column, or a text ZSCALE, is refused by name before a tile is decoded.
 */
function tileColumnKeys(cols: ColumnDef[], hdu: number): Map<string, string> {
  const keys = new Map<string, string>();
  for (const name of [...DATA_COLUMNS, ...TILE_NUMBERS]) {
    const c = cols.find((x) => x.key.toUpperCase() === name);
    if (!c) continue;
    const ok = DATA_COLUMNS.includes(name) ? c.vla && /^[BIJKED]$/.test(c.code) : !c.vla && /^[BIJKED]$/.test(c.code) && c.perRow === 1;
    if (!ok) {
      const want = DATA_COLUMNS.includes(name) ? 'a variable-length array column (1PB, 1QB, 1PI…)' : 'one number per tile';
      throw new FitsError('bad-structure', `${name} must be ${want}, not TFORM${c.index} = '${c.tform}'`, {
        hdu,
        keyword: `TFORM${c.index}`,
        column: name,
      });
    }
    keys.set(name, c.key);
  }
  if (!keys.has('COMPRESSED_DATA'))
    throw new FitsError('bad-structure', 'a compressed image needs a COMPRESSED_DATA column', { hdu, column: 'COMPRESSED_DATA' });
  return keys;
}

/** Read the tile rows and hand their columns over as numbers (a K column gives bigints). */
async function readTileColumns(ctx: HduContext, cols: ColumnDef[], tileRows: number[]): Promise<TileColumns> {
  const keys = tileColumnKeys(cols, ctx.index);
  const table = await readBinaryTable(ctx, cols, { columns: [...keys.values()], rows: tileRows });
  const column = (name: string) => (keys.has(name) ? table.columns[keys.get(name)!] : undefined);
  const numbers = (c: unknown) =>
    (c instanceof BigInt64Array || c instanceof BigUint64Array ? Float64Array.from(c, Number) : c) as Float64Array | undefined;
  return {
    compressed: column('COMPRESSED_DATA') as Array<Uint8Array | Int16Array>,
    gzipCompressed: column('GZIP_COMPRESSED_DATA') as Uint8Array[] | undefined,
    uncompressed: column('UNCOMPRESSED_DATA') as NumericArray[] | undefined,
    zscale: numbers(column('ZSCALE')),
    zzero: numbers(column('ZZERO')),
    zblank: numbers(column('ZBLANK')),
  };
}

/**
 * Read a tile-compressed image (FITS 4.0 §10): only the tiles that cover the requested rows are
 * fetched and decoded, into a region holding just those rows.
 */
export async function readCompressedImage(
  ctx: HduContext,
  cols: ColumnDef[],
  imageHeader: Header,
  opts: ReadImageOptions = {},
): Promise<Image> {
  const h = ctx.header;
  const hdu = ctx.index;
  const zbitpix = intKeyword(h, 'ZBITPIX', hdu);
  const g = tileGrid(h, hdu);
  const scaling = imageScaling(imageHeader, zbitpix, ctx);
  if (scaling.blank === undefined) scaling.blank = imageScaling(h, zbitpix, ctx, 'ZBLANK').blank;
  const dtype = physicalDtype(zbitpix, scaling);
  const Ctor = rawArrayType(zbitpix);
  if (g.dims.length === 0) return { data: new Ctor(0), shape: [], dtype };

  const last = g.dims.length - 1;
  const rowElems = g.dims.slice(0, last).reduce((a, b) => a * b, 1);
  const plan = planRows(opts.rows, g.dims[last], hdu);
  const totalTiles = g.counts.reduce((a, b) => a * b, 1);
  if (totalTiles !== (ctx.layout.naxes[1] ?? 0)) {
    throw new FitsError('bad-structure', `the tile grid has ${totalTiles} tiles but the table has ${ctx.layout.naxes[1]} rows`, {
      hdu,
      keyword: 'NAXIS2',
    });
  }
  const regionRows = Math.max(0, plan.end - plan.start);
  const tileRows = tilesCovering(g, plan.start, plan.end);
  const decoder = new TileDecoder(h, zbitpix, await readTileColumns(ctx, cols, tileRows), hdu);
  const region = { data: new Ctor(regionRows * rowElems), dims: [...g.dims.slice(0, last), regionRows], firstRow: plan.start };
  for (let k = 0; k < tileRows.length; k++) {
    const t = tileRows[k];
    const box = tileBox(g, t);
    let pixels: NumericArray;
    try {
      pixels = decoder.decode(k, t, box.count);
    } catch (e) {
      if (e instanceof FitsError) throw new FitsError(e.code, `tile ${t}: ${e.detail}`, { hdu, keyword: e.keyword, cause: e });
      throw e;
    }
    placeTile(region, pixels, box);
  }

  // Quantised floats are already physical; integers go through BSCALE/BZERO/BLANK like any image.
  let { data, nulls } = toPhysical(region.data, zbitpix, scaling);
  if (plan.unique) {
    const sel = plan.order ? Array.from(plan.order, (i) => plan.unique![i]) : Array.from(plan.unique);
    const order = Int32Array.from(sel, (r) => r - plan.start);
    data = permuteRows(data, order, rowElems, (n) => new (data.constructor as new (n: number) => NumericArray)(n));
    if (nulls) nulls = permuteRows(nulls, order, rowElems, (n) => new Uint8Array(n));
  }
  const shape = [plan.count, ...g.dims.slice(0, last).reverse()];
  return nulls ? { data, shape, nulls, dtype } : { data, shape, dtype };
}
