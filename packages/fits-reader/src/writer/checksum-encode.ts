/** 32-bit ones' complement sum of big-endian words (FITS 4.0 Appendix J). */
export function onesSum(bytes: Uint8Array, start = 0): number {
  let hi = Math.floor(start / 65536);
  let lo = start % 65536;
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    hi += (bytes[i] << 8) | bytes[i + 1];
    lo += (bytes[i + 2] << 8) | bytes[i + 3];
  }
  for (;;) {
    const hc = Math.floor(hi / 65536);
    const lc = Math.floor(lo / 65536);
    if (hc === 0 && lc === 0) break;
    hi = (hi % 65536) + lc;
    lo = (lo % 65536) + hc;
  }
  return hi * 65536 + lo;
}

const EXCLUDE = new Set([0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60]);

/** The 16-character ASCII encoding of a checksum value (Appendix J `char_encode`). */
export function encodeChecksum(value: number): string {
  const asc = new Array<number>(16);
  for (let i = 0; i < 4; i++) {
    const byte = Math.floor(value / 2 ** ((3 - i) * 8)) & 0xff;
    const quotient = (byte >> 2) + 0x30;
    const remainder = byte & 3;
    const ch = [quotient + remainder, quotient, quotient, quotient];
    for (let check = true; check; ) {
      check = false;
      for (let j = 0; j < 4; j += 2) {
        if (EXCLUDE.has(ch[j]) || EXCLUDE.has(ch[j + 1])) {
          ch[j]++;
          ch[j + 1]--;
          check = true;
        }
      }
    }
    for (let j = 0; j < 4; j++) asc[4 * j + i] = ch[j];
  }
  let out = '';
  for (let i = 0; i < 16; i++) out += String.fromCharCode(asc[(i + 15) % 16]);
  return out;
}
