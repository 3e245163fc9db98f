/**
 * Fixed-width FITS strings to JS strings, fast. A string ends at the first NUL (FITS 4.0 §7.3.3.1)
 * and loses its trailing blanks. Catalogue columns repeat a few values (SPECTYPE, OBJTYPE…), so a cell
 * equal to the previous one reuses its string, and short values (≤ 6 bytes) come from a small cache:
 * either way no new string is built.
 */
const fcc = String.fromCharCode;
type Latin1 = (this: Uint8Array, start: number, end: number) => string;
const nodeLatin1 = (globalThis as { Buffer?: { prototype: { latin1Slice?: Latin1 } } }).Buffer?.prototype.latin1Slice;

function make(b: Uint8Array, s: number, len: number): string {
  switch (len) {
    case 0:
      return '';
    case 1:
      return fcc(b[s]);
    case 2:
      return fcc(b[s], b[s + 1]);
    case 3:
      return fcc(b[s], b[s + 1], b[s + 2]);
    case 4:
      return fcc(b[s], b[s + 1], b[s + 2], b[s + 3]);
    default:
      if (nodeLatin1) return nodeLatin1.call(b, s, s + len);
      return fcc.apply(null, b.subarray(s, s + len) as unknown as number[]);
  }
}

/** The length of the string stored in `bytes[start, start + width)`. */
export function fieldLength(bytes: Uint8Array, start: number, width: number): number {
  let end = start;
  const stop = start + width;
  while (end < stop && bytes[end] !== 0) end++;
  while (end > start && bytes[end - 1] === 0x20) end--;
  return end - start;
}

/** Decode one string field. */
export function fieldString(bytes: Uint8Array, start: number, width: number): string {
  return make(bytes, start, fieldLength(bytes, start, width));
}

/**
 * Decode `nRows × per` string fields of `width` bytes: field j of row r starts at
 * `off + r*stride + j*width` and goes to `out[o + r*per + j]`.
 */
export function decodeStrings(
  bytes: Uint8Array,
  off: number,
  nRows: number,
  stride: number,
  per: number,
  width: number,
  out: string[],
  o: number,
): void {
  const cache = new Map<number, string>();
  let lastStart = -1;
  let lastLen = -1;
  let last = '';
  for (let r = 0; r < nRows; r++) {
    for (let j = 0; j < per; j++) {
      const s = off + r * stride + j * width;
      const len = fieldLength(bytes, s, width);
      let same = len === lastLen;
      for (let k = 0; same && k < len; k++) same = bytes[s + k] === bytes[lastStart + k];
      if (!same) {
        if (len <= 6) {
          let key = len;
          for (let k = 0; k < len; k++) key = key * 256 + bytes[s + k];
          let v = cache.get(key);
          if (v === undefined) {
            v = make(bytes, s, len);
            if (cache.size < 4096) cache.set(key, v);
          }
          last = v;
        } else last = make(bytes, s, len);
        lastStart = s;
        lastLen = len;
      }
      out[o + r * per + j] = last;
    }
  }
}
