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
import { type Quantize, unquantize } from './codecs/dither.js';
import { inflateTile, unshuffle } from './codecs/gzip-tile.js';
import { hcompressDecode } from './codecs/hcompress.js';
import { plioDecode } from './codecs/plio.js';
import { riceDecode } from './codecs/rice.js';

interface Geometry {
  dims: number[];
  tile: number[];
  counts: number[];
}

function geometry(h: Header, hdu: number): Geometry {
  const n = intKeyword(h, 'ZNAXIS', hdu);
  const dims: number[] = [];
  const tile: number[] = [];
  for (let i = 1; i <= n; i++) {
    dims.push(intKeyword(h, `ZNAXIS${i}`, hdu));
    tile.push(intKeyword(h, `ZTILE${i}`, hdu, i === 1 ? dims[0] : 1));
    if (tile[i - 1] <= 0) throw new FitsError('bad-keyword', `ZTILE${i} must be positive`, { hdu, keyword: `ZTILE${i}` });
  }
  return { dims, tile, counts: dims.map((d, i) => Math.ceil(d / tile[i])) };
}

/** ZNAMEi/ZVALi parameters of the codec. */
function zparams(h: Header): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 1; h.has(`ZNAME${i}`); i++) out[String(h.get(`ZNAME${i}`)).toUpperCase()] = Number(h.get(`ZVAL${i}`));
  return out;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined;
}

/** Integers of `width` big-endian bytes (signed; 8-bit unsigned) as an Int32Array. */
function bigEndianInts(bytes: Uint8Array, width: number, count: number): Int32Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int32Array(count);
  const n = Math.min(count, Math.floor(bytes.length / width));
  if (width === 1) for (let i = 0; i < n; i++) out[i] = bytes[i];
  else if (width === 2) for (let i = 0; i < n; i++) out[i] = dv.getInt16(2 * i);
  else for (let i = 0; i < n; i++) out[i] = dv.getInt32(4 * i);
  return out;
}

/**
 * Read a tile-compressed image (FITS 4.0 §10): only the tiles that cover the requested rows are
 * fetched and decoded.
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
  const g = geometry(h, hdu);
  const scaling = imageScaling(imageHeader, zbitpix, ctx);
  if (scaling.blank === undefined) scaling.blank = imageScaling(h, zbitpix, ctx, 'ZBLANK').blank;
  const dtype = physicalDtype(zbitpix, scaling);
  const Ctor = rawArrayType(zbitpix);
  if (g.dims.length === 0) return { data: new Ctor(0), shape: [], dtype };

  const last = g.dims.length - 1;
  const nrows = g.dims[last];
  const rowElems = g.dims.slice(0, last).reduce((a, b) => a * b, 1);
  const plan = planRows(opts.rows, nrows, hdu);
  const r0 = plan.start;
  const r1 = plan.end; // exclusive
  const regionRows = Math.max(0, r1 - r0);
  const totalTiles = g.counts.reduce((a, b) => a * b, 1);
  if (totalTiles !== (ctx.layout.naxes[1] ?? 0)) {
    throw new FitsError('bad-structure', `the tile grid has ${totalTiles} tiles but the table has ${ctx.layout.naxes[1]} rows`, {
      hdu,
      keyword: 'NAXIS2',
    });
  }
  // Tiles along the last axis that intersect [r0, r1).
  const tilesPerSlab = totalTiles / g.counts[last];
  const t0 = Math.floor(r0 / g.tile[last]);
  const t1 = regionRows === 0 ? t0 : Math.ceil(r1 / g.tile[last]);
  const tileRows: number[] = [];
  for (let t = t0 * tilesPerSlab; t < t1 * tilesPerSlab; t++) tileRows.push(t);

  // Column names match case-insensitively (TTYPEn = 'compressed_data' is the same column).
  const keyOf = (name: string) => cols.find((c) => c.key.toUpperCase() === name)?.key;
  const names = ['COMPRESSED_DATA', 'GZIP_COMPRESSED_DATA', 'UNCOMPRESSED_DATA', 'ZSCALE', 'ZZERO', 'ZBLANK'];
  const wanted = names.map(keyOf).filter((k): k is string => k !== undefined);
  if (keyOf('COMPRESSED_DATA') === undefined) {
    throw new FitsError('bad-structure', 'a compressed image needs a COMPRESSED_DATA column', { hdu, column: 'COMPRESSED_DATA' });
  }
  // The tile columns must have the types the convention gives them; anything else is refused by name
  // (a zero-width or fixed-width data column, a text ZSCALE…) before a tile is decoded.
  for (const name of ['COMPRESSED_DATA', 'GZIP_COMPRESSED_DATA', 'UNCOMPRESSED_DATA']) {
    const c = cols.find((x) => x.key.toUpperCase() === name);
    if (c && (!c.vla || !/^[BIJKED]$/.test(c.code)))
      throw new FitsError(
        'bad-structure',
        `${name} must be a variable-length array column (1PB, 1QB, 1PI…), not TFORM${c.index} = '${c.tform}'`,
        {
          hdu,
          keyword: `TFORM${c.index}`,
          column: name,
        },
      );
  }
  for (const name of ['ZSCALE', 'ZZERO', 'ZBLANK']) {
    const c = cols.find((x) => x.key.toUpperCase() === name);
    if (c && (c.vla || !/^[BIJKED]$/.test(c.code) || c.perRow !== 1))
      throw new FitsError('bad-structure', `${name} must be one number per tile, not TFORM${c.index} = '${c.tform}'`, {
        hdu,
        keyword: `TFORM${c.index}`,
        column: name,
      });
  }
  const table = await readBinaryTable(ctx, cols, { columns: wanted, rows: tileRows });
  // PB/QB for most codecs; PI (16-bit words) for PLIO_1.
  const column = (name: string) => {
    const key = keyOf(name);
    return key === undefined ? undefined : table.columns[key];
  };
  const cdata = column('COMPRESSED_DATA') as Array<Uint8Array | Int16Array>;
  const gdata = column('GZIP_COMPRESSED_DATA') as Uint8Array[] | undefined;
  const udata = column('UNCOMPRESSED_DATA') as NumericArray[] | undefined;
  // Numbers whatever integer or float type the columns were declared with (a K column gives bigints).
  const numbers = (c: unknown) => (c instanceof BigInt64Array || c instanceof BigUint64Array ? Float64Array.from(c, Number) : c);
  const zscaleCol = numbers(column('ZSCALE')) as Float64Array | undefined;
  const zzeroCol = numbers(column('ZZERO')) as Float64Array | undefined;
  const zblankCol = numbers(column('ZBLANK')) as Int32Array | undefined;
  const zscaleKey = num(h.get('ZSCALE'));
  const zzeroKey = num(h.get('ZZERO'));
  const cmp = String(h.get('ZCMPTYPE') ?? '')
    .trim()
    .toUpperCase();
  const params = zparams(h);
  const quantized = zbitpix < 0 && (zscaleCol !== undefined || zscaleKey !== undefined);
  const method = (String(h.get('ZQUANTIZ') ?? 'NO_DITHER')
    .trim()
    .toUpperCase() || 'NO_DITHER') as Quantize;
  const dither0 = num(h.get('ZDITHER0')) ?? 0;

  const region = new Ctor(regionRows * rowElems);
  const regionDims = [...g.dims.slice(0, last), regionRows];
  for (let k = 0; k < tileRows.length; k++) {
    const t = tileRows[k];
    // Tile coordinates and extent, axis 0 fastest.
    const coord: number[] = [];
    let rest = t;
    for (let a = 0; a < g.dims.length; a++) {
      coord.push(rest % g.counts[a]);
      rest = Math.floor(rest / g.counts[a]);
    }
    const start = coord.map((c, a) => c * g.tile[a]);
    const ext = start.map((s, a) => Math.min(g.tile[a], g.dims[a] - s));
    const count = ext.reduce((a, b) => a * b, 1);
    let pixels: NumericArray;
    try {
      pixels = decodeTile(k, t);
    } catch (e) {
      if (e instanceof FitsError) throw new FitsError(e.code, `tile ${t}: ${e.detail}`, { hdu, keyword: e.keyword });
      throw e;
    }
    place(pixels, start, ext, count);
  }

  function decodeTile(k: number, t: number): NumericArray {
    const count = (() => {
      let rest = t;
      let n = 1;
      for (let a = 0; a < g.dims.length; a++) {
        const c = rest % g.counts[a];
        rest = Math.floor(rest / g.counts[a]);
        n *= Math.min(g.tile[a], g.dims[a] - c * g.tile[a]);
      }
      return n;
    })();
    const bytes = cdata[k];
    if (bytes.length === 0) {
      if (gdata && gdata[k].length > 0) return rawFloats(inflateTile(gdata[k]), count);
      if (udata && udata[k].length > 0) return udata[k];
      throw new FitsError('bad-compressed-data', 'the tile has no data in any column');
    }
    const ints = decodeInts(bytes, count);
    if (ints instanceof Ctor && !quantized) return ints;
    if (quantized) {
      const out = zbitpix === -32 ? new Float32Array(count) : new Float64Array(count);
      const scale = zscaleCol ? zscaleCol[k] : (zscaleKey as number);
      const zero = zzeroCol ? zzeroCol[k] : (zzeroKey ?? 0);
      // Like CFITSIO and astropy, only a ZBLANK column marks nulls in quantised tiles: fpack writes a
      // ZBLANK keyword whose value real pixels can also take after dithering (fp_quant_f32_dither2).
      const nullValue = zblankCol ? zblankCol[k] : undefined;
      unquantize(ints as Int32Array, out, scale, zero, method, dither0, t, nullValue);
      return out;
    }
    const out = new Ctor(count);
    (out as Int32Array).set(ints as Int32Array);
    return out;
  }

  function decodeInts(data: Uint8Array | Int16Array, count: number): NumericArray {
    const intWidth = quantized ? 4 : Math.abs(zbitpix) / 8;
    if (cmp === 'PLIO_1') {
      const out = new Int32Array(count);
      plioDecode(data instanceof Int16Array ? data : bigEndianWords(data), out);
      return out;
    }
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (cmp === 'HCOMPRESS_1') {
      const { data: values, nx, ny } = hcompressDecode(bytes, (params.SMOOTH ?? 0) !== 0);
      if (nx * ny !== count) throw new FitsError('bad-compressed-data', `HCOMPRESS_1 tile holds ${nx * ny} pixels, expected ${count}`);
      // The transform works on whole tiles of the stored integer type.
      const out =
        zbitpix === 64
          ? BigInt64Array.from(values, (v) => BigInt(v))
          : quantized
            ? Int32Array.from(values)
            : new (rawArrayType(zbitpix))(count);
      if (!quantized && zbitpix !== 64) (out as Int32Array).set(values);
      return out;
    }
    switch (cmp) {
      case 'RICE_1':
      case 'RICE_ONE': {
        const out = new Int32Array(count);
        riceDecode(bytes, out, params.BLOCKSIZE || 32, params.BYTEPIX || (quantized ? 4 : Math.min(4, intWidth)));
        return out;
      }
      case 'GZIP_1':
      case 'GZIP_2':
      case 'NOCOMPRESS': {
        let raw = cmp === 'NOCOMPRESS' ? bytes : inflateTile(bytes);
        if (cmp === 'GZIP_2') raw = unshuffle(raw, intWidth);
        if (zbitpix < 0 && !quantized) return rawFloats(raw, count);
        if (intWidth === 8) return bigEndianInt64(raw, count);
        return bigEndianInts(raw, intWidth, count);
      }
      default:
        throw new FitsError('unsupported', `unsupported codec ZCMPTYPE = ${cmp || '(missing)'}`, { hdu, keyword: 'ZCMPTYPE' });
    }
  }

  function bigEndianWords(raw: Uint8Array): Int16Array {
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    return Int16Array.from({ length: raw.length >> 1 }, (_, i) => dv.getInt16(2 * i));
  }

  function rawFloats(raw: Uint8Array, count: number): NumericArray {
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (zbitpix === -32) {
      const out = new Float32Array(count);
      for (let i = 0; i < Math.min(count, raw.length >> 2); i++) out[i] = dv.getFloat32(4 * i);
      return out;
    }
    const out = new Float64Array(count);
    for (let i = 0; i < Math.min(count, raw.length >> 3); i++) out[i] = dv.getFloat64(8 * i);
    return out;
  }

  function bigEndianInt64(raw: Uint8Array, count: number): BigInt64Array {
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const out = new BigInt64Array(count);
    for (let i = 0; i < Math.min(count, raw.length >> 3); i++) out[i] = dv.getBigInt64(8 * i);
    return out;
  }

  /** Copy a decoded tile into the region buffer, line by line along axis 0. */
  function place(pixels: NumericArray, start: number[], ext: number[], count: number) {
    const nd = g.dims.length;
    const strides: number[] = [];
    let s = 1;
    for (let a = 0; a < nd; a++) {
      strides.push(s);
      s *= regionDims[a];
    }
    const idx = new Array(nd).fill(0);
    const line = ext[0];
    for (let p = 0; p < count; p += line) {
      let dest = start[0];
      let inside = true;
      for (let a = 1; a < nd; a++) {
        const coordA = start[a] + idx[a] - (a === last ? r0 : 0);
        if (a === last && (coordA < 0 || coordA >= regionRows)) inside = false;
        dest += coordA * strides[a];
      }
      if (inside) {
        if (pixels.constructor === region.constructor) (region as Int32Array).set((pixels as Int32Array).subarray(p, p + line), dest);
        else for (let i = 0; i < line; i++) (region as Int32Array)[dest + i] = (pixels as Int32Array)[p + i];
      }
      for (let a = 1; a < nd; a++) {
        if (++idx[a] < ext[a]) break;
        idx[a] = 0;
      }
    }
  }

  // Quantised floats are already physical; integers go through BSCALE/BZERO/BLANK like any image.
  let data: NumericArray;
  let nulls: Uint8Array | undefined;
  if (zbitpix < 0) {
    ({ data, nulls } = toPhysical(region, zbitpix, scaling));
  } else ({ data, nulls } = toPhysical(region, zbitpix, scaling));
  if (plan.unique) {
    const sel = plan.order ? Array.from(plan.order, (i) => plan.unique![i]) : Array.from(plan.unique);
    const order = Int32Array.from(sel, (r) => r - r0);
    data = permuteRows(data, order, rowElems, (n) => new (data.constructor as new (n: number) => NumericArray)(n));
    if (nulls) nulls = permuteRows(nulls, order, rowElems, (n) => new Uint8Array(n));
  }
  const shape = [plan.count, ...g.dims.slice(0, last).reverse()];
  return nulls ? { data, shape, nulls, dtype } : { data, shape, dtype };
}
