/**
 * In-place byte swapping from FITS big-endian to the host's little-endian order, specialised by
 * width. Node's Buffer.swapNN (native, several GB/s) is used when present; elsewhere a 32-bit
 * word loop does the work without per-byte branches.
 */
type Swappable = { swap16(): unknown; swap32(): unknown; swap64(): unknown };
const NodeBuffer = (globalThis as { Buffer?: { from(ab: ArrayBufferLike, off: number, len: number): Swappable } }).Buffer;

function aligned(bytes: Uint8Array, width: number): boolean {
  return bytes.byteOffset % width === 0 && bytes.length % width === 0;
}

export function swap16(bytes: Uint8Array): void {
  if (NodeBuffer && bytes.length % 2 === 0) {
    NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.length).swap16();
    return;
  }
  if (aligned(bytes, 4)) {
    const w = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2);
    for (let i = 0; i < w.length; i++) {
      const x = w[i];
      w[i] = ((x & 0x00ff00ff) << 8) | ((x >>> 8) & 0x00ff00ff);
    }
    return;
  }
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    const t = bytes[i];
    bytes[i] = bytes[i + 1];
    bytes[i + 1] = t;
  }
}

export function swap32(bytes: Uint8Array): void {
  if (NodeBuffer && bytes.length % 4 === 0) {
    NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.length).swap32();
    return;
  }
  if (aligned(bytes, 4)) {
    const w = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2);
    for (let i = 0; i < w.length; i++) {
      const x = w[i];
      w[i] = (x << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
    }
    return;
  }
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    const a = bytes[i];
    const b = bytes[i + 1];
    bytes[i] = bytes[i + 3];
    bytes[i + 1] = bytes[i + 2];
    bytes[i + 2] = b;
    bytes[i + 3] = a;
  }
}

export function swap64(bytes: Uint8Array): void {
  if (NodeBuffer && bytes.length % 8 === 0) {
    NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.length).swap64();
    return;
  }
  if (aligned(bytes, 8)) {
    const w = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2);
    for (let i = 0; i < w.length; i += 2) {
      const x = w[i];
      const y = w[i + 1];
      w[i] = (y << 24) | ((y & 0xff00) << 8) | ((y >>> 8) & 0xff00) | (y >>> 24);
      w[i + 1] = (x << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
    }
    return;
  }
  for (let i = 0; i + 7 < bytes.length; i += 8) {
    for (let k = 0; k < 4; k++) {
      const t = bytes[i + k];
      bytes[i + k] = bytes[i + 7 - k];
      bytes[i + 7 - k] = t;
    }
  }
}

/** Swap every element of `width` bytes (1 is a no-op). */
export function swapInPlace(bytes: Uint8Array, width: number): void {
  if (width === 2) swap16(bytes);
  else if (width === 4) swap32(bytes);
  else if (width === 8) swap64(bytes);
}
