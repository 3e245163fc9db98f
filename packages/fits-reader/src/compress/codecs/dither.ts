/** CFITSIO's table of 10 000 uniform random floats (Park–Miller), shared by every FITS writer. */
const N_RANDOM = 10000;
let table: Float32Array | undefined;

export function randoms(): Float32Array {
  if (table) return table;
  table = new Float32Array(N_RANDOM);
  const a = 16807;
  const m = 2147483647;
  let seed = 1;
  for (let i = 0; i < N_RANDOM; i++) {
    const temp = a * seed;
    seed = temp - m * Math.trunc(temp / m);
    table[i] = seed / m;
  }
  return table;
}

/** Stored value meaning "undefined pixel" in quantised tiles. */
export const NULL_VALUE = -2147483647;
/** Stored value meaning "exactly 0.0" with SUBTRACTIVE_DITHER_2. */
export const ZERO_VALUE = -2147483646;

export type Quantize = 'NO_DITHER' | 'SUBTRACTIVE_DITHER_1' | 'SUBTRACTIVE_DITHER_2';

/**
 * Restore floats from quantised integers (FITS 4.0 §10.2; CFITSIO unquantize_i4r4/r8). `tile` is the
 * 0-based tile number, which with ZDITHER0 picks where in the random table the dither starts.
 */
export function unquantize(
  input: Int32Array,
  out: Float32Array | Float64Array,
  scale: number,
  zero: number,
  method: Quantize,
  dither0: number,
  tile: number,
  nullValue: number | undefined,
): void {
  const f32 = out instanceof Float32Array;
  const n = input.length;
  if (method === 'NO_DITHER') {
    for (let i = 0; i < n; i++) {
      const v = input[i];
      out[i] = v === nullValue ? Number.NaN : v * scale + zero;
    }
    return;
  }
  const r = randoms();
  let iseed = (tile + dither0 - 1) % N_RANDOM;
  let next = Math.trunc(r[iseed] * 500);
  const zeroCode = method === 'SUBTRACTIVE_DITHER_2';
  for (let i = 0; i < n; i++) {
    const v = input[i];
    if (v === nullValue) out[i] = Number.NaN;
    else if (zeroCode && v === ZERO_VALUE) out[i] = 0;
    else {
      const x = (v - r[next] + 0.5) * scale + zero;
      out[i] = f32 ? Math.fround(x) : x;
    }
    next++;
    if (next === N_RANDOM) {
      iseed++;
      if (iseed === N_RANDOM) iseed = 0;
      next = Math.trunc(r[iseed] * 500);
    }
  }
}
