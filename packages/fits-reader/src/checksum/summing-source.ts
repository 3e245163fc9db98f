import type { HduContext } from '../hdu/context.js';
import type { ByteSource } from '../source/byte-source.js';
import { type ChecksumResult, judgeSums, OnesSum } from './ones-sum.js';
import { headerSum, sumRange } from './verify-checksum.js';

/**
 * A byte source that sums, once each, the bytes of one data unit that pass through it, so a reader
 * that reads an HDU whole checks its DATASUM and CHECKSUM with no extra I/O. What the read did not
 * touch (a heap a column subset skipped) is read and summed at the end, so the verdict always covers
 * the whole data unit. Padding is taken as the standard writes it (zeros; blanks for ASCII tables).
 */
export class SummingSource implements ByteSource {
  readonly size: number;
  readonly name?: string;
  private readonly sum = new OnesSum();
  /** Disjoint, sorted [start, end) ranges of the data unit already summed, relative to its start. */
  private readonly covered: Array<[number, number]> = [];
  private readonly start: number;
  private readonly end: number;
  readonly prefetch?: ByteSource['prefetch'];
  readonly readInto?: ByteSource['readInto'];

  constructor(private readonly ctx: HduContext) {
    const inner = ctx.src;
    this.size = inner.size;
    this.name = inner.name;
    this.start = ctx.dataOffset;
    this.end = ctx.dataOffset + ctx.layout.dataSize;
    if (inner.prefetch) this.prefetch = (ranges) => inner.prefetch!(ranges);
    if (inner.readInto) {
      this.readInto = async (offset, dest) => {
        const got = await inner.readInto!(offset, dest);
        this.take(offset, dest.subarray(0, got));
        return got;
      };
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const bytes = await this.ctx.src.read(offset, length);
    this.take(offset, bytes);
    return bytes;
  }

  /** The context a reader is given instead of the original one. */
  get context(): HduContext {
    return { ...this.ctx, src: this };
  }

  /** Sum what was not read, add the padding and judge the HDU's CHECKSUM and DATASUM. */
  async finish(): Promise<ChecksumResult> {
    let at = 0;
    for (const [a, b] of [...this.covered, [this.end - this.start, this.end - this.start] as [number, number]]) {
      if (a > at) await sumRange(this.ctx.src, this.start + at, a - at, this.sum, at);
      at = Math.max(at, b);
    }
    const size = this.end - this.start;
    if (this.ctx.layout.kind === 'table') this.sum.addFill(0x20, Math.ceil(size / 2880) * 2880 - size, size);
    return judgeSums(this.ctx.header, await headerSum(this.ctx), this.sum.value());
  }

  private take(offset: number, bytes: Uint8Array): void {
    const a = Math.max(offset, this.start) - this.start;
    const b = Math.min(offset + bytes.length, this.end) - this.start;
    if (b <= a) return;
    const base = offset - this.start;
    const ranges = this.covered;
    // Sequential reads extend the last range: the common case costs one comparison.
    const last = ranges[ranges.length - 1];
    if (!last || a >= last[1]) {
      this.sum.add(bytes.subarray(a - base, b - base), a);
      if (last && a === last[1]) last[1] = b;
      else ranges.push([a, b]);
      return;
    }
    // Otherwise sum only the parts not yet covered, then merge.
    let from = a;
    for (const [s, e] of ranges) {
      if (e <= from) continue;
      if (s >= b) break;
      if (s > from) this.sum.add(bytes.subarray(from - base, s - base), from);
      from = Math.max(from, e);
    }
    if (from < b) this.sum.add(bytes.subarray(from - base, b - base), from);
    ranges.push([a, b]);
    ranges.sort((x, y) => x[0] - y[0]);
    const merged: Array<[number, number]> = [];
    for (const r of ranges) {
      const top = merged[merged.length - 1];
      if (top && r[0] <= top[1]) top[1] = Math.max(top[1], r[1]);
      else merged.push([r[0], r[1]]);
    }
    ranges.splice(0, ranges.length, ...merged);
  }
}
