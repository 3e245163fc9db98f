import { FitsError } from '../../errors.js';

/** Bit length of each byte value: the position of its highest set bit (CFITSIO's nonzero_count). */
const BITLEN = new Uint8Array(256);
for (let i = 1; i < 256; i++) BITLEN[i] = 32 - Math.clz32(i);

/**
 * Decode a RICE_1 stream (FITS 4.0 §10.4.1, a port of CFITSIO's fits_rdecomp) into `out`.
 * `bytepix` is 1, 2 or 4. Every input read is bounds-checked, so a corrupt stream raises an error
 * instead of reading or writing outside its buffers.
 */
export function riceDecode(input: Uint8Array, out: Int32Array, blocksize: number, bytepix: number): void {
  const nx = out.length;
  const [fsbits, fsmax, bbits] = bytepix === 1 ? [3, 6, 8] : bytepix === 2 ? [4, 14, 16] : [5, 25, 32];
  const end = input.length;
  let c = 0;
  const next = () => {
    if (c >= end) throw new FitsError('bad-compressed-data', 'RICE_1 decompression hit the end of the compressed tile (corrupt tile)');
    return input[c++];
  };
  if (end < bytepix + 1) throw new FitsError('bad-compressed-data', 'RICE_1 tile is too short (corrupt tile)');
  let lastpix = 0;
  for (let k = 0; k < bytepix; k++) lastpix = lastpix * 256 + input[c++];
  const wrap = bytepix === 4 ? (v: number) => v | 0 : bytepix === 2 ? (v: number) => (v << 16) >> 16 : (v: number) => v & 0xff;
  lastpix = wrap(lastpix);
  let b = next();
  let nbits = 8;
  for (let i = 0; i < nx; ) {
    nbits -= fsbits;
    while (nbits < 0) {
      b = ((b << 8) | next()) >>> 0;
      nbits += 8;
    }
    const fs = (b >>> nbits) - 1;
    b &= (1 << nbits) - 1;
    const imax = Math.min(i + blocksize, nx);
    if (fs < 0) {
      for (; i < imax; i++) out[i] = lastpix;
    } else if (fs === fsmax) {
      for (; i < imax; i++) {
        let k = bbits - nbits;
        let diff = k >= 32 ? 0 : (b * 2 ** k) >>> 0;
        for (k -= 8; k >= 0; k -= 8) {
          b = next();
          diff = (diff + b * 2 ** k) >>> 0;
        }
        if (nbits > 0) {
          b = next();
          diff = (diff | (b >>> -k)) >>> 0;
          b &= (1 << nbits) - 1;
        } else b = 0;
        const d = (diff & 1) === 0 ? diff >>> 1 : ~(diff >>> 1);
        lastpix = wrap(d + lastpix);
        out[i] = lastpix;
      }
    } else {
      for (; i < imax; i++) {
        while (b === 0) {
          nbits += 8;
          b = next();
        }
        const nzero = nbits - BITLEN[b];
        nbits -= nzero + 1;
        b ^= 1 << nbits;
        nbits -= fs;
        while (nbits < 0) {
          b = ((b << 8) | next()) >>> 0;
          nbits += 8;
        }
        const diff = ((nzero << fs) | (b >>> nbits)) >>> 0;
        b &= (1 << nbits) - 1;
        const d = (diff & 1) === 0 ? diff >>> 1 : ~(diff >>> 1);
        lastpix = wrap(d + lastpix);
        out[i] = lastpix;
      }
    }
  }
}
