import type { Spectra } from './assemble/spectra.js';

/** How spectra values are stored. */
export type Precision =
  /** The stored float32 values, exactly (default). */
  | { mode: 'lossless' }
  /** Python `round(v, n)` on flux/ivar (default 6) and wavelength (default 2): the established product. */
  | { mode: 'decimals'; flux?: number; wavelength?: number }
  /** Keep N mantissa bits of float32 flux/ivar (round to nearest, ties to even): compresses far better. */
  | { mode: 'keepbits'; bits: number };

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** True when `x·10^n` is exactly halfway between two integers (a tie for decimal rounding). */
function isDecimalTie(x: number, n: number): boolean {
  // x = m·2^e exactly; x·10^n·2 must be an odd integer.
  f64[0] = Math.abs(x);
  const hi = u32[1];
  const exp = (hi >>> 20) & 0x7ff;
  if (exp === 0 || exp === 0x7ff) return false;
  const mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(u32[0]) | (1n << 52n);
  let e = exp - 1075;
  let num = mant * 2n * 10n ** BigInt(n);
  if (e >= 0) return false; // an integer times 10^n is never a half
  while (e < 0 && (num & 1n) === 0n) {
    num >>= 1n;
    e++;
  }
  return e === 0 && (num & 1n) === 1n;
}

/**
 * Python's `round(x, n)` for floats: the decimal nearest to the exact binary value, ties to even,
 * returned as the nearest double. (`toFixed` rounds ties away from zero, so ties are fixed up.)
 */
export function pyRound(x: number, n: number): number {
  if (!Number.isFinite(x) || Math.abs(x) >= 1e21) return x;
  const p = POW10[n] ?? 10 ** n;
  const a = Math.abs(x);
  const y = a * p;
  // Fast path: y carries at most a relative error of 2^-52, so unless its fraction is within that
  // of one half, the nearest integer is the nearest decimal; r / 10^n is then the correctly
  // rounded double of that decimal, as Python returns.
  if (y < 2 ** 52) {
    const fl = Math.floor(y);
    const frac = y - fl;
    if (Math.abs(frac - 0.5) > y * 2 ** -50 + 2 ** -60) {
      const v = (frac > 0.5 ? fl + 1 : fl) / p;
      return x < 0 || Object.is(x, -0) ? -v : v;
    }
  }
  return pyRoundExact(x, n);
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** The exact (slow) path of {@link pyRound}, for values within rounding error of a decimal tie. */
function pyRoundExact(x: number, n: number): number {
  let s = Math.abs(x).toFixed(n);
  if (isDecimalTie(x, n)) {
    const digits = s.replace('.', '');
    if (Number(digits[digits.length - 1]) % 2 === 1) {
      // toFixed went up; the even neighbour is one unit in the last place below.
      const d = BigInt(digits) - 1n;
      const t = d.toString().padStart(n + 1, '0');
      s = n > 0 ? `${t.slice(0, -n)}.${t.slice(-n)}` : t;
    }
  }
  const v = Number(s);
  return x < 0 || Object.is(x, -0) ? -v : v;
}

/** Round float32 values to `bits` mantissa bits (0–23), ties to even, in place. NaN and ±inf are kept. */
export function keepBits(values: Float32Array, bits: number): void {
  if (!Number.isInteger(bits) || bits < 0 || bits > 23) throw new RangeError(`keepbits must be 0–23, got ${bits}`);
  if (bits === 23) return;
  const drop = 23 - bits;
  const half = 1 << (drop - 1);
  const mask = ~((1 << drop) - 1);
  const w = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < w.length; i++) {
    const x = w[i];
    if ((x & 0x7f800000) === 0x7f800000) continue;
    const lsb = (x >>> drop) & 1;
    w[i] = ((x + half - 1 + lsb) & mask) >>> 0;
  }
}

/** The spectra in the chosen precision (keepbits rounds in place; decimals makes float64 copies). */
export function applyPrecision(
  s: Spectra,
  p: Precision,
): { wavelength: Float64Array; flux: Float32Array | Float64Array; ivar: Float32Array | Float64Array } {
  if (p.mode === 'lossless') return s;
  if (p.mode === 'keepbits') {
    keepBits(s.flux, p.bits);
    keepBits(s.ivar, p.bits);
    return s;
  }
  const nf = p.flux ?? 6;
  const nw = p.wavelength ?? 2;
  return { wavelength: roundAll(s.wavelength, nw), flux: roundAll(s.flux, nf), ivar: roundAll(s.ivar, nf) };
}

/**
 * {@link pyRound} over an array with its fast path made branch-free, which profiles showed matters
 * for millions of noisy values (a data-dependent branch mispredicts half the time). Away from a tie,
 * the nearest integer of the signed y = x·10^n is floor(y + 0.5), computed exactly below 2^52 (as is
 * y − r), and r / 10^n is the double pyRound returns; within the error bound of a tie, and for NaN,
 * ±inf and huge values, the general path decides. Zero results keep the sign of x, as Python does.
 */
function roundAll(a: Float32Array | Float64Array, n: number): Float64Array {
  const out = new Float64Array(a.length);
  const p = POW10[n] ?? 10 ** n;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = x * p;
    const r = Math.floor(y + 0.5);
    const ay = Math.abs(y);
    if (Math.abs(y - r) < 0.5 - (ay * 2 ** -50 + 2 ** -60) && ay < 2 ** 52) {
      out[i] = r !== 0 ? r / p : x < 0 || Object.is(x, -0) ? -0 : 0;
    } else out[i] = pyRound(x, n);
  }
  return out;
}
