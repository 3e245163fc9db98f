import { FitsError } from '../errors.js';
import type { Header } from '../header/header.js';
import { rawArrayType } from '../image/physical.js';
import type { NumericArray } from '../table/decode-binary.js';
import { type Quantize, unquantize } from './codecs/dither.js';
import { inflateTile, unshuffle } from './codecs/gzip-tile.js';
import { hcompressDecode } from './codecs/hcompress.js';
import { plioDecode } from './codecs/plio.js';
import { riceDecode } from './codecs/rice.js';

/** The per-tile columns of a compressed image's table, one entry per tile read. */
export interface TileColumns {
  /** PB/QB for most codecs; PI (16-bit words) for PLIO_1. */
  compressed: Array<Uint8Array | Int16Array>;
  gzipCompressed?: Uint8Array[];
  uncompressed?: NumericArray[];
  zscale?: Float64Array;
  zzero?: Float64Array;
  zblank?: Float64Array;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined;
}

/**
 * Decodes the tiles of one compressed image: the codec (ZCMPTYPE and its ZNAMEi/ZVALi), the stored
 * integer width, and for quantised floats the scale, zero, dithering and null value of each tile.
 */
export class TileDecoder {
  private readonly cmp: string;
  private readonly params: Record<string, number> = {};
  private readonly quantized: boolean;
  private readonly method: Quantize;
  private readonly dither0: number;
  private readonly zscaleKey?: number;
  private readonly zzeroKey?: number;

  constructor(
    h: Header,
    private readonly zbitpix: number,
    private readonly cols: TileColumns,
    private readonly hdu: number,
  ) {
    this.cmp = String(h.get('ZCMPTYPE') ?? '')
      .trim()
      .toUpperCase();
    for (let i = 1; h.has(`ZNAME${i}`); i++) this.params[String(h.get(`ZNAME${i}`)).toUpperCase()] = Number(h.get(`ZVAL${i}`));
    this.zscaleKey = num(h.get('ZSCALE'));
    this.zzeroKey = num(h.get('ZZERO'));
    this.quantized = zbitpix < 0 && (cols.zscale !== undefined || this.zscaleKey !== undefined);
    this.method = (String(h.get('ZQUANTIZ') ?? 'NO_DITHER')
      .trim()
      .toUpperCase() || 'NO_DITHER') as Quantize;
    this.dither0 = num(h.get('ZDITHER0')) ?? 0;
  }

  /** The `count` pixels of tile `t`, the `k`-th tile read. */
  decode(k: number, t: number, count: number): NumericArray {
    const { compressed, gzipCompressed, uncompressed } = this.cols;
    const bytes = compressed[k];
    if (bytes.length === 0) {
      if (gzipCompressed && gzipCompressed[k].length > 0) return rawFloats(this.zbitpix, inflateTile(gzipCompressed[k]), count);
      if (uncompressed && uncompressed[k].length > 0) return uncompressed[k];
      throw new FitsError('bad-compressed-data', 'the tile has no data in any column');
    }
    const Ctor = rawArrayType(this.zbitpix);
    const ints = this.decodeInts(bytes, count);
    if (ints instanceof Ctor && !this.quantized) return ints;
    if (this.quantized) {
      const out = this.zbitpix === -32 ? new Float32Array(count) : new Float64Array(count);
      const scale = this.cols.zscale ? this.cols.zscale[k] : (this.zscaleKey as number);
      const zero = this.cols.zzero ? this.cols.zzero[k] : (this.zzeroKey ?? 0);
      // Like CFITSIO and astropy, only a ZBLANK column marks nulls in quantised tiles: fpack writes a
      // ZBLANK keyword whose value real pixels can also take after dithering (fp_quant_f32_dither2).
      const nullValue = this.cols.zblank ? this.cols.zblank[k] : undefined;
      unquantize(ints as Int32Array, out, scale, zero, this.method, this.dither0, t, nullValue);
      return out;
    }
    const out = new Ctor(count);
    (out as Int32Array).set(ints as Int32Array);
    return out;
  }

  private decodeInts(data: Uint8Array | Int16Array, count: number): NumericArray {
    const { cmp, zbitpix, quantized, params } = this;
    const intWidth = quantized ? 4 : Math.abs(zbitpix) / 8;
    if (cmp === 'PLIO_1') {
      const out = new Int32Array(count);
      plioDecode(data instanceof Int16Array ? data : bigEndianWords(data), out);
      return out;
    }
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    switch (cmp) {
      case 'HCOMPRESS_1': {
        const { data: values, nx, ny } = hcompressDecode(bytes, (params.SMOOTH ?? 0) !== 0);
        if (nx * ny !== count) throw new FitsError('bad-compressed-data', `HCOMPRESS_1 tile holds ${nx * ny} pixels, expected ${count}`);
        // The transform works on whole tiles of the stored integer type.
        if (zbitpix === 64) return BigInt64Array.from(values, (v) => BigInt(v));
        if (quantized) return Int32Array.from(values);
        const out = new (rawArrayType(zbitpix))(count);
        (out as Int32Array).set(values);
        return out;
      }
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
        if (zbitpix < 0 && !quantized) return rawFloats(zbitpix, raw, count);
        if (intWidth === 8) return bigEndianInt64(raw, count);
        return bigEndianInts(raw, intWidth, count);
      }
      default:
        throw new FitsError('unsupported', `unsupported codec ZCMPTYPE = ${cmp || '(missing)'}`, { hdu: this.hdu, keyword: 'ZCMPTYPE' });
    }
  }
}

function bigEndianWords(raw: Uint8Array): Int16Array {
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Int16Array.from({ length: raw.length >> 1 }, (_, i) => dv.getInt16(2 * i));
}

/** Big-endian floats of a tile stored uncompressed or gzipped (short input leaves zeros). */
function rawFloats(zbitpix: number, raw: Uint8Array, count: number): NumericArray {
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
