/**
 * The second half of HCOMPRESS_1 decoding (see hcompress.ts): the inverse H-transform of the decoded
 * coefficients, optionally smoothed (CFITSIO's hinv, unshuffle and hsmooth). Kept apart from the
 * bit-plane decoder because it is pure arithmetic on the coefficient array.
 */

/** ceil(log2 n), as CFITSIO computes it. */
export function log2ceil(n: number): number {
  let log2n = Math.trunc(Math.log(n) / Math.log(2) + 0.5);
  if (n > 2 ** log2n) log2n++;
  return log2n;
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

export function hinv(a: Float64Array, nx: number, ny: number, smooth: boolean, scale: number): void {
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
