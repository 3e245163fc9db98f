import { decompressSync } from 'fflate';
import { FitsError } from '../../errors.js';

/** Inflate one GZIP_1/GZIP_2 tile (gzip or zlib framing, detected). */
export function inflateTile(bytes: Uint8Array): Uint8Array {
  try {
    return decompressSync(bytes);
  } catch (e) {
    throw new FitsError('bad-compressed-data', `gzip tile is corrupt (inflate failed: ${(e as Error).message})`);
  }
}

/** Undo GZIP_2's byte shuffle: all most-significant bytes first, then the next, … */
export function unshuffle(bytes: Uint8Array, width: number): Uint8Array {
  if (width === 1) return bytes;
  const n = Math.floor(bytes.length / width);
  const out = new Uint8Array(n * width);
  for (let k = 0; k < width; k++) {
    const base = k * n;
    for (let i = 0; i < n; i++) out[i * width + k] = bytes[base + i];
  }
  return out;
}
