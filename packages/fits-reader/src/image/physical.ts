import type { NumericArray } from '../table/decode-binary.js';

/** BSCALE/BZERO/BLANK of an image. */
export interface ImageScaling {
  bscale: number;
  bzero: number | bigint;
  blank?: number | bigint;
}

/** Native typed array type of the stored values for a BITPIX. */
export function rawArrayType(bitpix: number) {
  switch (bitpix) {
    case 8:
      return Uint8Array;
    case 16:
      return Int16Array;
    case 32:
      return Int32Array;
    case 64:
      return BigInt64Array;
    case -32:
      return Float32Array;
    default:
      return Float64Array;
  }
}

const UNSIGNED_ZERO: Record<number, number> = { 8: -128, 16: 32768, 32: 2147483648, 64: 2 ** 63 };

/** True when BSCALE = 1 and BZERO is the signed/unsigned offset of this BITPIX (exact integer result). */
export function isOffsetConvention(bitpix: number, s: ImageScaling): boolean {
  return s.bscale === 1 && bitpix > 0 && Number(s.bzero) === UNSIGNED_ZERO[bitpix];
}

/** The dtype name of the physical values (REFERENCE-FORMAT §5). */
export function physicalDtype(bitpix: number, s: ImageScaling): string {
  const plain: Record<number, string> = { 8: 'uint8', 16: 'int16', 32: 'int32', 64: 'int64', [-32]: 'float32', [-64]: 'float64' };
  if (isOffsetConvention(bitpix, s)) return { 8: 'int8', 16: 'uint16', 32: 'uint32', 64: 'uint64' }[bitpix] as string;
  const scaled = s.bscale !== 1 || Number(s.bzero) !== 0;
  if (bitpix < 0) return plain[bitpix];
  if (!scaled && s.blank === undefined) return plain[bitpix];
  return bitpix <= 16 ? 'float32' : 'float64';
}

/** Mark pixels whose stored value equals BLANK (integer images only). */
export function blankMask(raw: NumericArray, blank: number | bigint | undefined): Uint8Array | undefined {
  if (blank === undefined || raw instanceof Float32Array || raw instanceof Float64Array) return undefined;
  const mask = new Uint8Array(raw.length);
  if (raw instanceof BigInt64Array) {
    const b = BigInt(blank);
    for (let i = 0; i < raw.length; i++) if (raw[i] === b) mask[i] = 1;
  } else {
    const b = Number(blank);
    const r = raw as Int32Array;
    for (let i = 0; i < r.length; i++) if (r[i] === b) mask[i] = 1;
  }
  return mask;
}

/**
 * Turn native-order stored values into physical values. The stored array may be reused (the
 * unsigned conventions flip the sign bit in place and return a view of the same memory).
 */
export function toPhysical(raw: NumericArray, bitpix: number, s: ImageScaling): { data: NumericArray; nulls?: Uint8Array } {
  const nulls = bitpix > 0 && s.blank !== undefined ? blankMask(raw, s.blank) : undefined;
  if (isOffsetConvention(bitpix, s)) {
    const buf = raw.buffer;
    const off = raw.byteOffset;
    switch (bitpix) {
      case 8: {
        const v = new Int8Array(buf, off, raw.length);
        for (let i = 0; i < v.length; i++) v[i] ^= -128;
        return { data: v, nulls };
      }
      case 16: {
        const v = new Uint16Array(buf, off, raw.length);
        for (let i = 0; i < v.length; i++) v[i] ^= 0x8000;
        return { data: v, nulls };
      }
      case 32: {
        const v = new Uint32Array(buf, off, raw.length);
        for (let i = 0; i < v.length; i++) v[i] ^= 0x80000000;
        return { data: v, nulls };
      }
      default: {
        const w = new Uint32Array(buf, off, raw.length * 2);
        for (let i = 1; i < w.length; i += 2) w[i] ^= 0x80000000;
        return { data: new BigUint64Array(buf, off, raw.length), nulls };
      }
    }
  }
  const scaled = s.bscale !== 1 || Number(s.bzero) !== 0;
  const hasBlank = bitpix > 0 && s.blank !== undefined;
  if (!scaled && !hasBlank) return { data: raw };
  const n = raw.length;
  const z = Number(s.bzero);
  if (bitpix === -32 || (bitpix > 0 && bitpix <= 16)) {
    // astropy scales in float32 arithmetic: fround after the product and after the sum.
    // Float32 products and sums computed in float64 then rounded once are correctly rounded.
    const out = bitpix === -32 ? (raw as Float32Array) : new Float32Array(n);
    const fs = Math.fround(s.bscale);
    const fz = Math.fround(z);
    const r = raw as Float32Array;
    for (let i = 0; i < n; i++) out[i] = Math.fround(Math.fround(r[i] * fs) + fz);
    if (nulls) for (let i = 0; i < n; i++) if (nulls[i]) out[i] = Number.NaN;
    return { data: out, nulls };
  }
  const out = bitpix === -64 ? (raw as Float64Array) : new Float64Array(n);
  if (raw instanceof BigInt64Array) {
    const w = new Int32Array(raw.buffer, raw.byteOffset, n * 2);
    for (let i = 0; i < n; i++) out[i] = (w[2 * i + 1] * 4294967296 + (w[2 * i] >>> 0)) * s.bscale + z;
  } else {
    const r = raw as Float64Array;
    for (let i = 0; i < n; i++) out[i] = r[i] * s.bscale + z;
  }
  if (nulls) for (let i = 0; i < n; i++) if (nulls[i]) out[i] = Number.NaN;
  return { data: out, nulls };
}
