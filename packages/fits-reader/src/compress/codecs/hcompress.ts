import { FitsError } from '../../errors.js';
import { hinv, log2ceil } from './hcompress-inverse.js';

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
