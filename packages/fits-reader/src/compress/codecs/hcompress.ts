import { FitsError } from '../../errors.js';

/**
 * HCOMPRESS_1 decoder (FITS 4.0 §10.4.3): a port of CFITSIO's fits_hdecompress64 (quadtree-coded
 * bit planes, then the inverse H-transform, optionally smoothed). Values are kept in float64 and
 * the shifts and masks of the C code are done as exact floor divisions, so tiles of 32-bit data whose
 * H-transform sums exceed 32 bits decode exactly (up to 2^53).
 */
export function hcompressDecode(input: Uint8Array, smooth: boolean): { data: Float64Array; nx: number; ny: number } {
  const r = new BitReader(input);
  if (r.byte() !== 0xdd || r.byte() !== 0x99)
    throw new FitsError('bad-compressed-data', 'HCOMPRESS_1 tile does not start with the magic code (corrupt tile)');
  const nx = r.int32();
  const ny = r.int32();
  const scale = r.int32();
  if (nx <= 0 || ny <= 0 || nx * ny > input.length * 64 + 64) {
    throw new FitsError('bad-compressed-data', `HCOMPRESS_1 tile claims ${nx}×${ny} pixels (corrupt tile)`);
  }
  const sumall = r.int64();
  const planes = [r.byte(), r.byte(), r.byte()];
  const a = new Float64Array(nx * ny);
  dodecode(r, a, nx, ny, planes);
  a[0] = sumall;
  if (scale > 1) for (let i = 0; i < a.length; i++) a[i] *= scale;
  hinv(a, nx, ny, smooth, scale);
  return { data: a, nx, ny };
}

class BitReader {
  pos = 0;
  private buffer = 0;
  private bits = 0;
  constructor(private readonly b: Uint8Array) {}
  byte(): number {
    if (this.pos >= this.b.length) throw new FitsError('bad-compressed-data', 'HCOMPRESS_1 tile ends early (corrupt tile)');
    return this.b[this.pos++];
  }
  int32(): number {
    return (this.byte() << 24) | (this.byte() << 16) | (this.byte() << 8) | this.byte() | 0;
  }
  int64(): number {
    const hi = this.int32();
    const lo = this.int32() >>> 0;
    return hi * 4294967296 + lo;
  }
  start(): void {
    this.bits = 0;
  }
  bit(): number {
    if (this.bits === 0) {
      this.buffer = this.byte();
      this.bits = 8;
    }
    this.bits--;
    return (this.buffer >> this.bits) & 1;
  }
  nbits(n: number): number {
    if (this.bits < n) {
      this.buffer = ((this.buffer << 8) | this.byte()) & 0xffff;
      this.bits += 8;
    }
    this.bits -= n;
    return (this.buffer >> this.bits) & ((1 << n) - 1);
  }
  nybble(): number {
    return this.nbits(4);
  }
  huffman(): number {
    let c = this.nbits(3);
    if (c < 4) return 1 << c;
    c = this.bit() | (c << 1);
    if (c < 13) return [3, 5, 10, 12, 15][c - 8];
    c = this.bit() | (c << 1);
    if (c < 31) return [6, 7, 9, 11, 13][c - 26];
    c = this.bit() | (c << 1);
    return c === 62 ? 0 : 14;
  }
}

function log2ceil(n: number): number {
  let log2n = Math.trunc(Math.log(n) / Math.log(2) + 0.5);
  if (n > 2 ** log2n) log2n++;
  return log2n;
}

function dodecode(r: BitReader, a: Float64Array, nx: number, ny: number, planes: number[]): void {
  const nx2 = (nx + 1) >> 1;
  const ny2 = (ny + 1) >> 1;
  r.start();
  qtreeDecode(r, a, 0, ny, nx2, ny2, planes[0]);
  qtreeDecode(r, a, ny2, ny, nx2, ny >> 1, planes[1]);
  qtreeDecode(r, a, ny * nx2, ny, nx >> 1, ny2, planes[1]);
  qtreeDecode(r, a, ny * nx2 + ny2, ny, nx >> 1, ny >> 1, planes[2]);
  if (r.nybble() !== 0) throw new FitsError('bad-compressed-data', 'HCOMPRESS_1: bad bit plane values (corrupt tile)');
  r.start();
  for (let i = 0; i < a.length; i++) if (a[i] !== 0 && r.bit()) a[i] = -a[i];
}

function qtreeDecode(r: BitReader, a: Float64Array, off: number, n: number, nqx: number, nqy: number, nbitplanes: number): void {
  if (nqx <= 0 || nqy <= 0) {
    // An empty quadrant still carries its format codes in the stream.
    for (let bit = nbitplanes - 1; bit >= 0; bit--) r.nybble();
    return;
  }
  const log2n = log2ceil(Math.max(nqx, nqy));
  const scratch = new Uint8Array(((nqx + 1) >> 1) * ((nqy + 1) >> 1) * 4 + 4);
  for (let bit = nbitplanes - 1; bit >= 0; bit--) {
    const b = r.nybble();
    if (b === 0) {
      const count = ((nqx + 1) >> 1) * ((nqy + 1) >> 1);
      for (let i = 0; i < count; i++) scratch[i] = r.nybble();
      bitins(scratch, nqx, nqy, a, off, n, bit);
    } else if (b !== 0xf) {
      throw new FitsError('bad-compressed-data', `HCOMPRESS_1: bad quadtree format code ${b} (corrupt tile)`);
    } else {
      scratch[0] = r.huffman();
      let nx = 1;
      let ny = 1;
      let nfx = nqx;
      let nfy = nqy;
      let c = 1 << log2n;
      for (let k = 1; k < log2n; k++) {
        c >>= 1;
        nx <<= 1;
        ny <<= 1;
        if (nfx <= c) nx--;
        else nfx -= c;
        if (nfy <= c) ny--;
        else nfy -= c;
        expand(r, scratch, nx, ny);
      }
      bitins(scratch, nqx, nqy, a, off, n, bit);
    }
  }
}

/** Expand each 4-bit code of the (nx+1)/2 × (ny+1)/2 level into a 2×2 block of the nx × ny level, then read new codes. */
function expand(r: BitReader, b: Uint8Array, nx: number, ny: number): void {
  const nx2 = (nx + 1) >> 1;
  const ny2 = (ny + 1) >> 1;
  const n = ny;
  let k = ny2 * (nx2 - 1) + ny2 - 1;
  for (let i = nx2 - 1; i >= 0; i--) {
    let s00 = 2 * (n * i + ny2 - 1);
    for (let j = ny2 - 1; j >= 0; j--) {
      b[s00] = b[k];
      k--;
      s00 -= 2;
    }
  }
  let i = 0;
  for (; i < nx - 1; i += 2) {
    let s00 = n * i;
    let s10 = s00 + n;
    let j = 0;
    for (; j < ny - 1; j += 2) {
      const v = b[s00];
      b[s10 + 1] = v & 1;
      b[s10] = (v >> 1) & 1;
      b[s00 + 1] = (v >> 2) & 1;
      b[s00] = (v >> 3) & 1;
      s00 += 2;
      s10 += 2;
    }
    if (j < ny) {
      b[s10] = (b[s00] >> 1) & 1;
      b[s00] = (b[s00] >> 3) & 1;
    }
  }
  if (i < nx) {
    let s00 = n * i;
    let j = 0;
    for (; j < ny - 1; j += 2) {
      b[s00 + 1] = (b[s00] >> 2) & 1;
      b[s00] = (b[s00] >> 3) & 1;
      s00 += 2;
    }
    if (j < ny) b[s00] = (b[s00] >> 3) & 1;
  }
  for (let p = nx * ny - 1; p >= 0; p--) if (b[p]) b[p] = r.huffman();
}

/** OR bit plane `bit` of the 2×2-expanded codes into the quadrant of `a` at `off` (row length n). */
function bitins(a4: Uint8Array, nx: number, ny: number, b: Float64Array, off: number, n: number, bit: number): void {
  const v = 2 ** bit;
  let k = 0;
  let i = 0;
  for (; i < nx - 1; i += 2) {
    let s00 = off + n * i;
    let j = 0;
    for (; j < ny - 1; j += 2) {
      const c = a4[k];
      if (c & 8) b[s00] += v;
      if (c & 4) b[s00 + 1] += v;
      if (c & 2) b[s00 + n] += v;
      if (c & 1) b[s00 + n + 1] += v;
      s00 += 2;
      k++;
    }
    if (j < ny) {
      const c = a4[k];
      if (c & 8) b[s00] += v;
      if (c & 2) b[s00 + n] += v;
      k++;
    }
  }
  if (i < nx) {
    let s00 = off + n * i;
    let j = 0;
    for (; j < ny - 1; j += 2) {
      const c = a4[k];
      if (c & 8) b[s00] += v;
      if (c & 4) b[s00 + 1] += v;
      s00 += 2;
      k++;
    }
    if (j < ny && a4[k] & 8) b[s00] += v;
  }
}

// Integer helpers on exact float64 integers: two's-complement semantics of the C code.
const shr = (x: number, s: number) => Math.floor(x / 2 ** s);
/** x & -m for a power of two m: clear the bits below m. */
const clearBelow = (x: number, m: number) => Math.floor(x / m) * m;
/** The bit of value m (a power of two) of x, as 0 or m. */
const bitOf = (x: number, m: number) => (((Math.floor(x / m) % 2) + 2) % 2 === 1 ? m : 0);

function unshuffle(a: Float64Array, off: number, n: number, n2: number, tmp: Float64Array): void {
  const nhalf = (n + 1) >> 1;
  for (let i = nhalf, t = 0; i < n; i++, t++) tmp[t] = a[off + n2 * i];
  for (let i = nhalf - 1; i >= 0; i--) a[off + 2 * n2 * i] = a[off + n2 * i];
  for (let i = 1, t = 0; i < n; i += 2, t++) a[off + n2 * i] = tmp[t];
}

function hinv(a: Float64Array, nx: number, ny: number, smooth: boolean, scale: number): void {
  const nmax = Math.max(nx, ny);
  const log2n = log2ceil(nmax);
  const tmp = new Float64Array((nmax + 1) >> 1);
  let shift = 1;
  let bit0 = 2 ** (log2n - 1);
  let bit1 = bit0 * 2;
  let bit2 = bit0 * 4;
  let prnd0 = Math.floor(bit0 / 2);
  let prnd1 = Math.floor(bit1 / 2);
  const prnd2 = Math.floor(bit2 / 2);
  let nrnd0 = prnd0 - 1;
  let nrnd1 = prnd1 - 1;
  const nrnd2 = prnd2 - 1;
  // With log2n = 0 (a 1×1 tile), bit0 is 1/2: the masks then keep every integer unchanged.
  const round = (x: number, prnd: number, nrnd: number, m: number) =>
    m < 1 ? x + (x >= 0 ? Math.floor(prnd) : Math.ceil(nrnd)) : clearBelow(x + (x >= 0 ? prnd : nrnd), m);
  a[0] = round(a[0], prnd2, nrnd2, bit2);
  let nxtop = 1;
  let nytop = 1;
  let nxf = nx;
  let nyf = ny;
  let c = 2 ** log2n;
  for (let k = log2n - 1; k >= 0; k--) {
    c /= 2;
    nxtop *= 2;
    nytop *= 2;
    if (nxf <= c) nxtop--;
    else nxf -= c;
    if (nyf <= c) nytop--;
    else nyf -= c;
    if (k === 0) {
      nrnd0 = 0;
      shift = 2;
    }
    for (let i = 0; i < nxtop; i++) unshuffle(a, ny * i, nytop, 1, tmp);
    for (let j = 0; j < nytop; j++) unshuffle(a, j, nxtop, ny, tmp);
    if (smooth) hsmooth(a, nxtop, nytop, ny, scale);
    const oddx = nxtop % 2;
    const oddy = nytop % 2;
    let i = 0;
    for (; i < nxtop - oddx; i += 2) {
      let s00 = ny * i;
      let s10 = s00 + ny;
      let j = 0;
      for (; j < nytop - oddy; j += 2) {
        let h0 = a[s00];
        let hx = a[s10];
        let hy = a[s00 + 1];
        let hc = a[s10 + 1];
        hx = clearBelow(hx + (hx >= 0 ? prnd1 : nrnd1), bit1);
        hy = clearBelow(hy + (hy >= 0 ? prnd1 : nrnd1), bit1);
        hc = clearBelow(hc + (hc >= 0 ? prnd0 : nrnd0), bit0);
        const lowbit0 = bitOf(hc, bit0);
        hx = hx >= 0 ? hx - lowbit0 : hx + lowbit0;
        hy = hy >= 0 ? hy - lowbit0 : hy + lowbit0;
        const lowbit1 = (bitOf(hc, bit1) ^ bitOf(hx, bit1) ^ bitOf(hy, bit1)) === 0 ? 0 : bit1;
        h0 = h0 >= 0 ? h0 + lowbit0 - lowbit1 : h0 + (lowbit0 === 0 ? lowbit1 : lowbit0 - lowbit1);
        a[s10 + 1] = shr(h0 + hx + hy + hc, shift);
        a[s10] = shr(h0 + hx - hy - hc, shift);
        a[s00 + 1] = shr(h0 - hx + hy - hc, shift);
        a[s00] = shr(h0 - hx - hy + hc, shift);
        s00 += 2;
        s10 += 2;
      }
      if (oddy) {
        let h0 = a[s00];
        let hx = a[s10];
        hx = clearBelow(hx >= 0 ? hx + prnd1 : hx + nrnd1, bit1);
        const lowbit1 = bitOf(hx, bit1);
        h0 = h0 >= 0 ? h0 - lowbit1 : h0 + lowbit1;
        a[s10] = shr(h0 + hx, shift);
        a[s00] = shr(h0 - hx, shift);
      }
    }
    if (oddx) {
      let s00 = ny * i;
      let j = 0;
      for (; j < nytop - oddy; j += 2) {
        let h0 = a[s00];
        let hy = a[s00 + 1];
        hy = clearBelow(hy >= 0 ? hy + prnd1 : hy + nrnd1, bit1);
        const lowbit1 = bitOf(hy, bit1);
        h0 = h0 >= 0 ? h0 - lowbit1 : h0 + lowbit1;
        a[s00 + 1] = shr(h0 + hy, shift);
        a[s00] = shr(h0 - hy, shift);
        s00 += 2;
      }
      if (oddy) a[s00] = shr(a[s00], shift);
    }
    bit2 = bit1;
    bit1 = bit0;
    bit0 = bit0 / 2;
    prnd1 = prnd0;
    prnd0 = Math.floor(prnd0 / 2);
    nrnd1 = nrnd0;
    nrnd0 = prnd0 - 1;
  }
}

function hsmooth(a: Float64Array, nxtop: number, nytop: number, ny: number, scale: number): void {
  const smax = shr(scale, 1);
  if (smax <= 0) return;
  const ny2 = ny * 2;
  const clamp = (x: number, lo: number, hi: number) => Math.max(Math.min(x, hi), lo);
  const div = (s: number, p: number) => (s >= 0 ? shr(s, p) : shr(s + 2 ** p - 1, p));
  for (let i = 2; i < nxtop - 2; i += 2) {
    let s00 = ny * i;
    let s10 = s00 + ny;
    for (let j = 0; j < nytop; j += 2) {
      const hm = a[s00 - ny2];
      const h0 = a[s00];
      const hp = a[s00 + ny2];
      let diff = hp - hm;
      const dmax = Math.max(Math.min(hp - h0, h0 - hm), 0) * 4;
      const dmin = Math.min(Math.max(hp - h0, h0 - hm), 0) * 4;
      if (dmin < dmax) {
        diff = clamp(diff, dmin, dmax);
        const s = clamp(div(diff - a[s10] * 8, 3), -smax, smax);
        a[s10] += s;
      }
      s00 += 2;
      s10 += 2;
    }
  }
  for (let i = 0; i < nxtop; i += 2) {
    let s00 = ny * i + 2;
    for (let j = 2; j < nytop - 2; j += 2) {
      const hm = a[s00 - 2];
      const h0 = a[s00];
      const hp = a[s00 + 2];
      let diff = hp - hm;
      const dmax = Math.max(Math.min(hp - h0, h0 - hm), 0) * 4;
      const dmin = Math.min(Math.max(hp - h0, h0 - hm), 0) * 4;
      if (dmin < dmax) {
        diff = clamp(diff, dmin, dmax);
        const s = clamp(div(diff - a[s00 + 1] * 8, 3), -smax, smax);
        a[s00 + 1] += s;
      }
      s00 += 2;
    }
  }
  for (let i = 2; i < nxtop - 2; i += 2) {
    let s00 = ny * i + 2;
    let s10 = s00 + ny;
    for (let j = 2; j < nytop - 2; j += 2) {
      const hmm = a[s00 - ny2 - 2];
      const hpm = a[s00 + ny2 - 2];
      const hmp = a[s00 - ny2 + 2];
      const hpp = a[s00 + ny2 + 2];
      const h0 = a[s00];
      let diff = hpp + hmm - hmp - hpm;
      const hx2 = a[s10] * 2;
      const hy2 = a[s00 + 1] * 2;
      let m1 = Math.min(Math.max(hpp - h0, 0) - hx2 - hy2, Math.max(h0 - hpm, 0) + hx2 - hy2);
      let m2 = Math.min(Math.max(h0 - hmp, 0) - hx2 + hy2, Math.max(hmm - h0, 0) + hx2 + hy2);
      const dmax = Math.min(m1, m2) * 16;
      m1 = Math.max(Math.min(hpp - h0, 0) - hx2 - hy2, Math.min(h0 - hpm, 0) + hx2 - hy2);
      m2 = Math.max(Math.min(h0 - hmp, 0) - hx2 + hy2, Math.min(hmm - h0, 0) + hx2 + hy2);
      const dmin = Math.max(m1, m2) * 16;
      if (dmin < dmax) {
        diff = clamp(diff, dmin, dmax);
        const s = clamp(div(diff - a[s10 + 1] * 64, 6), -smax, smax);
        a[s10 + 1] += s;
      }
      s00 += 2;
      s10 += 2;
    }
  }
}
