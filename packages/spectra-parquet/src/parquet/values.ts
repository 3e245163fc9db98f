/**
 * Value encoders writing straight into a page buffer: PLAIN (little-endian values, or length-prefixed
 * UTF-8 for text) and BYTE_STREAM_SPLIT (byte k of every value in stream k, which lets ZSTD find the
 * redundancy in noisy floats). Width-specialised loops on little-endian hosts; a byte-order-aware
 * loop elsewhere.
 */
type Fixed = Int32Array | BigInt64Array | Float32Array | Float64Array;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function bytesOf(values: Fixed, start: number, count: number): Uint8Array {
  const w = values.BYTES_PER_ELEMENT;
  return new Uint8Array(values.buffer, values.byteOffset + start * w, count * w);
}

/** PLAIN: `count` values from `start`, written at `out[at]`; returns the bytes written. */
export function writePlain(values: Fixed, start: number, count: number, out: Uint8Array, at: number): number {
  const w = values.BYTES_PER_ELEMENT;
  const src = bytesOf(values, start, count);
  if (LITTLE_ENDIAN) out.set(src, at);
  else for (let i = 0; i < count; i++) for (let k = 0; k < w; k++) out[at + i * w + k] = src[i * w + (w - 1 - k)];
  return count * w;
}

/** BYTE_STREAM_SPLIT: `count` values from `start`, written at `out[at]`; returns the bytes written. */
export function writeByteStreamSplit(values: Fixed, start: number, count: number, out: Uint8Array, at: number): number {
  const w = values.BYTES_PER_ELEMENT;
  if (!LITTLE_ENDIAN) {
    const src = bytesOf(values, start, count);
    for (let k = 0; k < w; k++) for (let i = 0; i < count; i++) out[at + k * count + i] = src[i * w + (w - 1 - k)];
    return count * w;
  }
  const u32 = new Uint32Array(values.buffer, values.byteOffset + start * w, (count * w) >>> 2);
  const n = count;
  if (w === 4) {
    const s0 = at;
    const s1 = at + n;
    const s2 = at + 2 * n;
    const s3 = at + 3 * n;
    for (let i = 0; i < n; i++) {
      const v = u32[i];
      out[s0 + i] = v;
      out[s1 + i] = v >>> 8;
      out[s2 + i] = v >>> 16;
      out[s3 + i] = v >>> 24;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const lo = u32[2 * i];
      const hi = u32[2 * i + 1];
      out[at + i] = lo;
      out[at + n + i] = lo >>> 8;
      out[at + 2 * n + i] = lo >>> 16;
      out[at + 3 * n + i] = lo >>> 24;
      out[at + 4 * n + i] = hi;
      out[at + 5 * n + i] = hi >>> 8;
      out[at + 6 * n + i] = hi >>> 16;
      out[at + 7 * n + i] = hi >>> 24;
    }
  }
  return count * w;
}

const utf8 = new TextEncoder();

/** PLAIN BYTE_ARRAY values: each a 4-byte little-endian length and its UTF-8 bytes. */
export function plainStrings(values: ArrayLike<string | null>): { bytes: Uint8Array; encoded: Uint8Array[] } {
  const encoded: Uint8Array[] = [];
  let size = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    const b = utf8.encode(v);
    encoded.push(b);
    size += 4 + b.length;
  }
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  let at = 0;
  for (const b of encoded) {
    view.setUint32(at, b.length, true);
    bytes.set(b, at + 4);
    at += 4 + b.length;
  }
  return { bytes, encoded };
}

/** A value's PLAIN bytes (for statistics). */
export function plainValue(values: Fixed, i: number): Uint8Array {
  const out = new Uint8Array(values.BYTES_PER_ELEMENT);
  writePlain(values, i, 1, out, 0);
  return out;
}
