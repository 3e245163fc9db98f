import type { Header } from '../header/header.js';

/**
 * The FITS 32-bit ones' complement sum (FITS 4.0 Appendix J), kept as two 16-bit halves whose
 * carries are folded back in. Ones' complement addition is commutative, so pieces of a data unit
 * may be summed in any order and from any byte position: a byte at offset p adds to the word it
 * falls in, shifted by its place in that word (p mod 4).
 */
export class OnesSum {
  private hi = 0;
  private lo = 0;

  /** Add `bytes` that sit at `position` from the start of the summed unit (a multiple of 4 there). */
  add(bytes: Uint8Array, position = 0): void {
    const n = bytes.length;
    let i = 0;
    for (; i < n && ((position + i) & 3) !== 0; i++) this.addByte(bytes[i], (position + i) & 3);
    const words = (n - i) >> 2;
    if (words > 0) {
      const dv = new DataView(bytes.buffer, bytes.byteOffset + i, words * 4);
      let hi = 0;
      let lo = 0;
      // 2^37 words of 0xffff stay exact in a double; chunks are far smaller.
      for (let w = 0; w < words * 4; w += 4) {
        hi += dv.getUint16(w);
        lo += dv.getUint16(w + 2);
      }
      this.hi += hi;
      this.lo += lo;
      i += words * 4;
    }
    for (; i < n; i++) this.addByte(bytes[i], (position + i) & 3);
    this.fold();
  }

  /** Add `count` copies of byte `b` starting at `position` (the known fill of a padding area). */
  addFill(b: number, count: number, position: number): void {
    if (b === 0 || count <= 0) return;
    this.add(new Uint8Array(count).fill(b), position);
  }

  /** Add another 32-bit ones' complement sum. */
  addSum(value: number): void {
    this.hi += Math.floor(value / 65536);
    this.lo += value % 65536;
    this.fold();
  }

  value(): number {
    return this.hi * 65536 + this.lo;
  }

  private addByte(b: number, place: number): void {
    if (place === 0) this.hi += b << 8;
    else if (place === 1) this.hi += b;
    else if (place === 2) this.lo += b << 8;
    else this.lo += b;
  }

  private fold(): void {
    for (;;) {
      const hc = Math.floor(this.hi / 65536);
      const lc = Math.floor(this.lo / 65536);
      if (hc === 0 && lc === 0) return;
      this.hi = (this.hi % 65536) + lc;
      this.lo = (this.lo % 65536) + hc;
    }
  }
}

/** Result of checking CHECKSUM and DATASUM, each judged on its own. */
export interface ChecksumResult {
  checksum: 'ok' | 'bad' | 'absent';
  datasum: 'ok' | 'bad' | 'absent';
}

/**
 * Judge a header's CHECKSUM (header and data together sum to −0, i.e. 0xffffffff) and DATASUM (the
 * data's sum, as an unsigned decimal string) against sums already taken.
 */
export function judgeSums(header: Header, headerSum: number, dataSum: number): ChecksumResult {
  const ds = header.card('DATASUM');
  const ck = header.card('CHECKSUM');
  let datasum: ChecksumResult['datasum'] = 'absent';
  if (ds) {
    const text = typeof ds.value === 'string' ? ds.value.trim() : typeof ds.value === 'number' ? String(ds.value) : '';
    datasum = /^\d+$/.test(text) && Number(text) === dataSum ? 'ok' : 'bad';
  }
  let checksum: ChecksumResult['checksum'] = 'absent';
  if (ck) {
    const total = new OnesSum();
    total.addSum(headerSum);
    total.addSum(dataSum);
    checksum = typeof ck.value === 'string' && ck.value.length === 16 && total.value() === 0xffffffff ? 'ok' : 'bad';
  }
  return { checksum, datasum };
}
