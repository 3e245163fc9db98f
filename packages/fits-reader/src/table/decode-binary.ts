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

/** Decodes `nRows` cells of `per` elements: element j of row r at `off + r*stride + j*size` → `out[o + r*per + j]`. */
type CellDecoder = (
  b: Uint8Array,
  dv: DataView,
  off: number,
  n: number,
  stride: number,
  per: number,
  out: never,
  o: number,
  s: number,
  z: number,
) => void;

// One small function per stored type and scaling, so V8 compiles each to a tight monomorphic loop
// (a single function with a switch over every type runs several times slower). Scalar cells
// (per = 1) take the first branch of each loop.
const DECODERS: Record<string, CellDecoder> = {
  L: (b, _dv, off, n, stride, per, out: (boolean | null)[], o) => {
    for (let r = 0; r < n; r++) {
      const p = off + r * stride;
      const q = o + r * per;
      for (let j = 0; j < per; j++) {
        const v = b[p + j];
        out[q + j] = v === 0x54 ? true : v === 0x46 ? false : null;
      }
    }
  },
  X: (b, _dv, off, n, stride, per, out: Uint8Array, o) => {
    for (let r = 0; r < n; r++) {
      const p = off + r * stride;
      const q = o + r * per;
      for (let j = 0; j < per; j++) out[q + j] = (b[p + (j >> 3)] >> (7 - (j & 7))) & 1;
    }
  },
  'B:none': (b, _dv, off, n, stride, per, out: Uint8Array, o) => {
    if (per === stride || n === 1) out.set(b.subarray(off, off + n * per), o);
    else for (let r = 0; r < n; r++) out.set(b.subarray(off + r * stride, off + r * stride + per), o + r * per);
  },
  'B:int8': (b, _dv, off, n, stride, per, out: Int8Array, o) => {
    for (let r = 0; r < n; r++) {
      const p = off + r * stride;
      const q = o + r * per;
      for (let j = 0; j < per; j++) out[q + j] = b[p + j] ^ 0x80;
    }
  },
  'B:float': (b, _dv, off, n, stride, per, out: Float64Array, o, s, z) => {
    for (let r = 0; r < n; r++) {
      const p = off + r * stride;
      const q = o + r * per;
      for (let j = 0; j < per; j++) out[q + j] = b[p + j] * s + z;
    }
  },
  'I:none': (_b, dv, off, n, stride, per, out: Int16Array, o) => {
    if (per === 1) for (let r = 0; r < n; r++) out[o + r] = dv.getInt16(off + r * stride);
    else
      for (let r = 0; r < n; r++) {
        const p = off + r * stride;
        const q = o + r * per;
        for (let j = 0; j < per; j++) out[q + j] = dv.getInt16(p + 2 * j);
      }
  },
  'I:uint16': (_b, dv, off, n, stride, per, out: Uint16Array, o) => {
    for (let r = 0; r < n; r++) {
      const p = off + r * stride;
      const q = o + r * per;
      for (let j = 0; j < per; j++) out[q + j] = dv.getUint16(p + 2 * j) ^ 0x8000;
    }
  },
  'I:float': (_b, dv, off, n, stride, per, out: Float64Array, o, s, z) => {
    for (let r = 0; r < n; r++) {
      const p = off + r * stride;
      const q = o + r * per;
      for (let j = 0; j < per; j++) out[q + j] = dv.getInt16(p + 2 * j) * s + z;
    }
  },
  'J:none': (_b, dv, off, n, stride, per, out: Int32Array, o) => {
    if (per === 1) for (let r = 0; r < n; r++) out[o + r] = dv.getInt32(off + r * stride);
    else
      for (let r = 0; r < n; r++) {
        const p = off + r * stride;
        const q = o + r * per;
        for (let j = 0; j < per; j++) out[q + j] = dv.getInt32(p + 4 * j);
      }
  },
  'J:uint32': (_b, dv, off, n, stride, per, out: Uint32Array, o) => {
    for (let r = 0; r < n; r++) {
      const p = off + r * stride;
      const q = o + r * per;
      for (let j = 0; j < per; j++) out[q + j] = dv.getUint32(p + 4 * j) ^ 0x80000000;
    }
  },
  'J:float': (_b, dv, off, n, stride, per, out: Float64Array, o, s, z) => {
    for (let r = 0; r < n; r++) {
      const p = off + r * stride;
      const q = o + r * per;
      for (let j = 0; j < per; j++) out[q + j] = dv.getInt32(p + 4 * j) * s + z;
    }
  },
  'K:float': (_b, dv, off, n, stride, per, out: Float64Array, o, s, z) => {
    for (let r = 0; r < n; r++) {
      const p = off + r * stride;
      const q = o + r * per;
      // hi·2^32 is exact, so adding lo rounds once, like numpy's int64 → float64.
      for (let j = 0; j < per; j++) out[q + j] = (dv.getInt32(p + 8 * j) * 4294967296 + dv.getUint32(p + 8 * j + 4)) * s + z;
    }
  },
  'E:none': (_b, dv, off, n, stride, per, out: Float32Array, o) => {
    if (per === 1) for (let r = 0; r < n; r++) out[o + r] = dv.getFloat32(off + r * stride);
    else
      for (let r = 0; r < n; r++) {
        const p = off + r * stride;
        const q = o + r * per;
        for (let j = 0; j < per; j++) out[q + j] = dv.getFloat32(p + 4 * j);
      }
  },
  'E:float': (_b, dv, off, n, stride, per, out: Float64Array, o, s, z) => {
    for (let r = 0; r < n; r++) {
      const p = off + r * stride;
      const q = o + r * per;
      for (let j = 0; j < per; j++) out[q + j] = dv.getFloat32(p + 4 * j) * s + z;
    }
  },
  'D:none': (_b, dv, off, n, stride, per, out: Float64Array, o) => {
    if (per === 1) for (let r = 0; r < n; r++) out[o + r] = dv.getFloat64(off + r * stride);
    else
      for (let r = 0; r < n; r++) {
        const p = off + r * stride;
        const q = o + r * per;
        for (let j = 0; j < per; j++) out[q + j] = dv.getFloat64(p + 8 * j);
      }
  },
  'D:float': (_b, dv, off, n, stride, per, out: Float64Array, o, s, z) => {
    for (let r = 0; r < n; r++) {
      const p = off + r * stride;
      const q = o + r * per;
      for (let j = 0; j < per; j++) out[q + j] = dv.getFloat64(p + 8 * j) * s + z;
    }
  },
  'C:none': (_b, dv, off, n, stride, per, out: Float32Array, o) => {
    for (let r = 0; r < n; r++) {
      const p = off + r * stride;
      const q = 2 * (o + r * per);
      for (let j = 0; j < 2 * per; j++) out[q + j] = dv.getFloat32(p + 4 * j);
    }
  },
  'C:float': (_b, dv, off, n, stride, per, out: Float64Array, o, s, z) => {
    for (let r = 0; r < n; r++) {
      const p = off + r * stride;
      const q = 2 * (o + r * per);
      for (let j = 0; j < 2 * per; j++) out[q + j] = dv.getFloat32(p + 4 * j) * s + ((j & 1) === 0 ? z : 0);
    }
  },
  'M:none': (_b, dv, off, n, stride, per, out: Float64Array, o) => {
    for (let r = 0; r < n; r++) {
      const p = off + r * stride;
      const q = 2 * (o + r * per);
      for (let j = 0; j < 2 * per; j++) out[q + j] = dv.getFloat64(p + 8 * j);
    }
  },
  'M:float': (_b, dv, off, n, stride, per, out: Float64Array, o, s, z) => {
    for (let r = 0; r < n; r++) {
      const p = off + r * stride;
      const q = 2 * (o + r * per);
      for (let j = 0; j < 2 * per; j++) out[q + j] = dv.getFloat64(p + 8 * j) * s + ((j & 1) === 0 ? z : 0);
    }
  },
};

/** 64-bit integers: the two 32-bit halves are written into the 64-bit array's memory, so no BigInt is created. */
function decodeK(
  dv: DataView,
  off: number,
  n: number,
  stride: number,
  per: number,
  out: BigInt64Array | BigUint64Array,
  o: number,
  flip: number,
) {
  const w = new Uint32Array(out.buffer, out.byteOffset, out.length * 2);
  for (let r = 0; r < n; r++) {
    const p = off + r * stride;
    const q = 2 * (o + r * per);
    for (let j = 0; j < per; j++) {
      w[q + 2 * j] = dv.getUint32(p + 8 * j + 4);
      w[q + 2 * j + 1] = dv.getUint32(p + 8 * j) ^ flip;
    }
  }
}

/**
 * Decode `nRows` cells of `per` elements each. Element j of row r is stored at
 * `off + r*stride + j*size`; it goes to `out[o + r*per + j]` (complex values take two slots).
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
  const code = col.code;
  if (code === 'A') {
    decodeStrings(bytes, off, nRows, stride, per, col.itemsize ?? per, out as string[], o);
    return;
  }
  if (code === 'K' && col.scaling !== 'float') {
    decodeK(dv, off, nRows, stride, per, out as BigInt64Array, o, col.scaling === 'uint64' ? 0x80000000 : 0);
    return;
  }
  const key = code === 'L' || code === 'X' ? code : `${code}:${col.scaling}`;
  const f = DECODERS[key];
  if (!f) throw new Error(`no decoder for ${key}`);
  f(bytes, dv, off, nRows, stride, per, out as never, o, col.tscal, Number(col.tzero));
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
