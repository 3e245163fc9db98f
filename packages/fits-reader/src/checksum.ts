import type { HduContext } from './hdu/context.js';

/** Result of checking CHECKSUM and DATASUM, each judged on its own. */
export interface ChecksumResult {
  checksum: 'ok' | 'bad' | 'absent';
  datasum: 'ok' | 'bad' | 'absent';
}

const CHUNK = 4 << 20;

/** Running 32-bit ones' complement sum (FITS 4.0 Appendix J), kept as two 16-bit halves. */
class OnesSum {
  hi = 0;
  lo = 0;
  add(bytes: Uint8Array): void {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = bytes.length - (bytes.length % 4);
    let hi = 0;
    let lo = 0;
    for (let i = 0; i < n; i += 4) {
      hi += dv.getUint16(i);
      lo += dv.getUint16(i + 2);
    }
    this.hi += hi;
    this.lo += lo;
    this.fold();
  }
  private fold() {
    for (;;) {
      const hc = Math.floor(this.hi / 65536);
      const lc = Math.floor(this.lo / 65536);
      if (hc === 0 && lc === 0) return;
      this.hi = (this.hi % 65536) + lc;
      this.lo = (this.lo % 65536) + hc;
    }
  }
  value(): number {
    return this.hi * 65536 + this.lo;
  }
  plus(other: number): number {
    const s = new OnesSum();
    s.hi = this.hi + Math.floor(other / 65536);
    s.lo = this.lo + (other % 65536);
    s.fold();
    return s.value();
  }
}

async function sumRange(ctx: HduContext, offset: number, length: number): Promise<number> {
  const s = new OnesSum();
  for (let done = 0; done < length; done += CHUNK) {
    const want = Math.min(CHUNK, length - done);
    const got = await ctx.src.read(offset + done, want);
    // Missing padding at the end of a file counts as zeros, which add nothing; so does the zero fill of
    // a data unit summed without its padding (whose length need not be a multiple of four).
    const whole = Math.ceil(want / 4) * 4;
    if (got.length < whole) {
      const padded = new Uint8Array(whole);
      padded.set(got);
      s.add(padded);
    } else s.add(got);
  }
  return s.value();
}

/** Options of {@link verifyChecksum}. */
export interface ChecksumOptions {
  /**
   * Take the padding after the data unit as the standard says it is (zeros, which add nothing to the
   * sum) instead of reading it: a reader that fetched exactly the data then checks it without one
   * more request. ASCII tables (kind `table`), padded with blanks, are always read whole. Default false.
   */
  standardPadding?: boolean;
}

/** Verify an HDU's CHECKSUM (whole HDU sums to −0) and DATASUM (sum of the data unit). */
export async function verifyChecksum(ctx: HduContext, o: ChecksumOptions = {}): Promise<ChecksumResult> {
  const skipPadding = o.standardPadding === true && ctx.layout.kind !== 'table';
  const dataLen = skipPadding ? ctx.layout.dataSize : Math.ceil(ctx.layout.dataSize / 2880) * 2880;
  const ck = ctx.header.card('CHECKSUM');
  const ds = ctx.header.card('DATASUM');
  if (!ck && !ds) return { checksum: 'absent', datasum: 'absent' };
  const data = await sumRange(ctx, ctx.dataOffset, dataLen);
  let datasum: ChecksumResult['datasum'] = 'absent';
  if (ds) {
    const text = typeof ds.value === 'string' ? ds.value.trim() : typeof ds.value === 'number' ? String(ds.value) : '';
    datasum = /^\d+$/.test(text) && Number(text) === data ? 'ok' : 'bad';
  }
  let checksum: ChecksumResult['checksum'] = 'absent';
  if (ck) {
    const valid = typeof ck.value === 'string' && ck.value.length === 16;
    const header = await sumRange(ctx, ctx.headerOffset, ctx.dataOffset - ctx.headerOffset);
    const total = new OnesSum();
    total.hi = Math.floor(header / 65536);
    total.lo = header % 65536;
    checksum = valid && total.plus(data) === 0xffffffff ? 'ok' : 'bad';
  }
  return { checksum, datasum };
}
