import type { ColumnDef } from './columns.js';
import { decodeStrings } from './strings.js';

/** Typed arrays a numeric column can come back as. */
export type NumericArray =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

/** The values of one column: see the package README for the type of each TFORM. */
export type ColumnData = NumericArray | string[] | (boolean | null)[] | VlaColumn;

/** A P/Q column: one array (or string) per row. */
export type VlaColumn = Array<NumericArray | string | (boolean | null)[]>;

/** Allocate the output of `count` elements for a column's physical type. */
export function allocate(col: ColumnDef, count: number): NumericArray | string[] | (boolean | null)[] {
  switch (col.dtype) {
    case 'bool':
      return new Array<boolean | null>(count);
    case 'str':
      return new Array<string>(count);
    case 'bit':
    case 'uint8':
      return new Uint8Array(count);
    case 'int8':
      return new Int8Array(count);
    case 'int16':
      return new Int16Array(count);
    case 'uint16':
      return new Uint16Array(count);
    case 'int32':
      return new Int32Array(count);
    case 'uint32':
      return new Uint32Array(count);
    case 'int64':
      return new BigInt64Array(count);
    case 'uint64':
      return new BigUint64Array(count);
    case 'float32':
      return new Float32Array(count);
    case 'float64':
      return new Float64Array(count);
    case 'complex64':
      return new Float32Array(count * 2);
    case 'complex128':
      return new Float64Array(count * 2);
  }
}

/**
 * Decode `nRows` cells of `per` elements each. Element j of row r is stored at
 * `off + r*stride + j*size`; it goes to `out[o + r*per + j]`. The loops are written once per type
 * so V8 compiles each to a tight monomorphic loop.
 */
export function decodeCells(
  col: ColumnDef,
  bytes: Uint8Array,
  dv: DataView,
  off: number,
  nRows: number,
  stride: number,
  per: number,
  out: NumericArray | string[] | (boolean | null)[],
  o: number,
): void {
  const s = col.tscal;
  const z = Number(col.tzero);
  switch (col.code) {
    case 'L': {
      const a = out as (boolean | null)[];
      for (let r = 0; r < nRows; r++) {
        const p = off + r * stride;
        const q = o + r * per;
        for (let j = 0; j < per; j++) {
          const b = bytes[p + j];
          a[q + j] = b === 0x54 ? true : b === 0x46 ? false : null;
        }
      }
      return;
    }
    case 'X': {
      const a = out as Uint8Array;
      for (let r = 0; r < nRows; r++) {
        const p = off + r * stride;
        const q = o + r * per;
        for (let j = 0; j < per; j++) a[q + j] = (bytes[p + (j >> 3)] >> (7 - (j & 7))) & 1;
      }
      return;
    }
    case 'A': {
      decodeStrings(bytes, off, nRows, stride, per, col.itemsize ?? per, out as string[], o);
      return;
    }
    case 'B': {
      if (col.scaling === 'none') {
        const a = out as Uint8Array;
        if (per === stride || nRows === 1) {
          a.set(bytes.subarray(off, off + nRows * per), o);
          return;
        }
        for (let r = 0; r < nRows; r++) a.set(bytes.subarray(off + r * stride, off + r * stride + per), o + r * per);
      } else if (col.scaling === 'int8') {
        const a = out as Int8Array;
        for (let r = 0; r < nRows; r++) {
          const p = off + r * stride;
          const q = o + r * per;
          for (let j = 0; j < per; j++) a[q + j] = bytes[p + j] ^ 0x80;
        }
      } else {
        const a = out as Float64Array;
        for (let r = 0; r < nRows; r++) {
          const p = off + r * stride;
          const q = o + r * per;
          for (let j = 0; j < per; j++) a[q + j] = bytes[p + j] * s + z;
        }
      }
      return;
    }
    case 'I': {
      if (col.scaling === 'none') {
        const a = out as Int16Array;
        for (let r = 0; r < nRows; r++) {
          const p = off + r * stride;
          const q = o + r * per;
          for (let j = 0; j < per; j++) a[q + j] = dv.getInt16(p + 2 * j);
        }
      } else if (col.scaling === 'uint16') {
        const a = out as Uint16Array;
        for (let r = 0; r < nRows; r++) {
          const p = off + r * stride;
          const q = o + r * per;
          for (let j = 0; j < per; j++) a[q + j] = dv.getUint16(p + 2 * j) ^ 0x8000;
        }
      } else {
        const a = out as Float64Array;
        for (let r = 0; r < nRows; r++) {
          const p = off + r * stride;
          const q = o + r * per;
          for (let j = 0; j < per; j++) a[q + j] = dv.getInt16(p + 2 * j) * s + z;
        }
      }
      return;
    }
    case 'J': {
      if (col.scaling === 'none') {
        const a = out as Int32Array;
        for (let r = 0; r < nRows; r++) {
          const p = off + r * stride;
          const q = o + r * per;
          for (let j = 0; j < per; j++) a[q + j] = dv.getInt32(p + 4 * j);
        }
      } else if (col.scaling === 'uint32') {
        const a = out as Uint32Array;
        for (let r = 0; r < nRows; r++) {
          const p = off + r * stride;
          const q = o + r * per;
          for (let j = 0; j < per; j++) a[q + j] = dv.getUint32(p + 4 * j) ^ 0x80000000;
        }
      } else {
        const a = out as Float64Array;
        for (let r = 0; r < nRows; r++) {
          const p = off + r * stride;
          const q = o + r * per;
          for (let j = 0; j < per; j++) a[q + j] = dv.getInt32(p + 4 * j) * s + z;
        }
      }
      return;
    }
    case 'K': {
      if (col.scaling === 'float') {
        const a = out as Float64Array;
        for (let r = 0; r < nRows; r++) {
          const p = off + r * stride;
          const q = o + r * per;
          // hi·2^32 is exact, so adding lo rounds once, like numpy's int64 → float64.
          for (let j = 0; j < per; j++) a[q + j] = (dv.getInt32(p + 8 * j) * 4294967296 + dv.getUint32(p + 8 * j + 4)) * s + z;
        }
        return;
      }
      // Write the two 32-bit halves into the 64-bit array's memory: no BigInt is created.
      const t = out as BigInt64Array | BigUint64Array;
      const w = new Uint32Array(t.buffer, t.byteOffset, t.length * 2);
      const flip = col.scaling === 'uint64' ? 0x80000000 : 0;
      for (let r = 0; r < nRows; r++) {
        const p = off + r * stride;
        const q = 2 * (o + r * per);
        for (let j = 0; j < per; j++) {
          w[q + 2 * j] = dv.getUint32(p + 8 * j + 4);
          w[q + 2 * j + 1] = dv.getUint32(p + 8 * j) ^ flip;
        }
      }
      return;
    }
    case 'E': {
      if (col.scaling === 'none') {
        const a = out as Float32Array;
        for (let r = 0; r < nRows; r++) {
          const p = off + r * stride;
          const q = o + r * per;
          for (let j = 0; j < per; j++) a[q + j] = dv.getFloat32(p + 4 * j);
        }
      } else {
        const a = out as Float64Array;
        for (let r = 0; r < nRows; r++) {
          const p = off + r * stride;
          const q = o + r * per;
          for (let j = 0; j < per; j++) a[q + j] = dv.getFloat32(p + 4 * j) * s + z;
        }
      }
      return;
    }
    case 'D': {
      const a = out as Float64Array;
      const scaled = col.scaling !== 'none';
      for (let r = 0; r < nRows; r++) {
        const p = off + r * stride;
        const q = o + r * per;
        if (scaled) for (let j = 0; j < per; j++) a[q + j] = dv.getFloat64(p + 8 * j) * s + z;
        else for (let j = 0; j < per; j++) a[q + j] = dv.getFloat64(p + 8 * j);
      }
      return;
    }
    case 'C': {
      const a = out as Float32Array | Float64Array;
      const scaled = col.scaling !== 'none';
      for (let r = 0; r < nRows; r++) {
        const p = off + r * stride;
        const q = 2 * (o + r * per);
        for (let j = 0; j < 2 * per; j++) {
          const v = dv.getFloat32(p + 4 * j);
          a[q + j] = scaled ? v * s + ((j & 1) === 0 ? z : 0) : v;
        }
      }
      return;
    }
    case 'M': {
      const a = out as Float64Array;
      const scaled = col.scaling !== 'none';
      for (let r = 0; r < nRows; r++) {
        const p = off + r * stride;
        const q = 2 * (o + r * per);
        for (let j = 0; j < 2 * per; j++) {
          const v = dv.getFloat64(p + 8 * j);
          a[q + j] = scaled ? v * s + ((j & 1) === 0 ? z : 0) : v;
        }
      }
      return;
    }
  }
}

/** Mark elements whose stored integer equals TNULL. */
export function markNulls(
  col: ColumnDef,
  bytes: Uint8Array,
  dv: DataView,
  off: number,
  nRows: number,
  stride: number,
  per: number,
  nulls: Uint8Array,
  o: number,
): void {
  const t = col.tnull;
  if (t === undefined || typeof t === 'string') return;
  for (let r = 0; r < nRows; r++) {
    const p = off + r * stride;
    const q = o + r * per;
    for (let j = 0; j < per; j++) {
      let hit: boolean;
      switch (col.code) {
        case 'B':
          hit = bytes[p + j] === Number(t);
          break;
        case 'I':
          hit = dv.getInt16(p + 2 * j) === Number(t);
          break;
        case 'J':
          hit = dv.getInt32(p + 4 * j) === Number(t);
          break;
        case 'K':
          hit = dv.getBigInt64(p + 8 * j) === BigInt(t);
          break;
        default:
          return;
      }
      if (hit) nulls[q + j] = 1;
    }
  }
}

/** Bytes one element of this code takes in the heap or row. */
export function byteSize(code: string): number {
  switch (code) {
    case 'L':
    case 'B':
    case 'A':
    case 'X':
      return 1;
    case 'I':
      return 2;
    case 'J':
    case 'E':
      return 4;
    case 'K':
    case 'D':
    case 'C':
      return 8;
    case 'M':
      return 16;
    default:
      return 1;
  }
}
