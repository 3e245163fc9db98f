import { decompressSync } from 'fflate';
import { FitsError } from '../../errors.js';

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-32 as gzip stores it. */
export function crc32(bytes: Uint8Array): number {
  let c = -1;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/**
 * Inflate one GZIP_1/GZIP_2 tile (gzip or zlib framing, detected). A gzip member's CRC-32 and size
 * trailer are checked, since inflate alone does not notice every corrupted byte.
 */
export function inflateTile(bytes: Uint8Array): Uint8Array {
  let out: Uint8Array;
  try {
    out = decompressSync(bytes);
  } catch (e) {
    throw new FitsError('bad-compressed-data', `gzip tile is corrupt (inflate failed: ${(e as Error).message})`);
  }
  if (bytes.length >= 18 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const crc = dv.getUint32(bytes.length - 8, true);
    const size = dv.getUint32(bytes.length - 4, true);
    if (size !== out.length % 2 ** 32 || crc !== crc32(out)) {
      throw new FitsError('bad-compressed-data', 'gzip tile is corrupt: its CRC-32 or size does not match the inflated data');
    }
  }
  return out;
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
