import type { HduContext } from '../hdu/context.js';
import { type ChecksumResult, judgeSums, OnesSum } from './ones-sum.js';

export type { ChecksumResult } from './ones-sum.js';

const CHUNK = 4 << 20;

/** Sum `length` bytes of the source from `offset`, in bounded chunks (callers check the bytes exist). */
export async function sumRange(
  src: HduContext['src'],
  offset: number,
  length: number,
  into = new OnesSum(),
  position = 0,
): Promise<OnesSum> {
  for (let done = 0; done < length; done += CHUNK) {
    // Missing padding at the very end of a file adds nothing, as zeros would.
    into.add(await src.read(offset + done, Math.min(CHUNK, length - done)), position + done);
  }
  return into;
}

/** The ones' complement sum of an HDU's header blocks (taken when the header was read, when it was). */
export async function headerSum(ctx: HduContext): Promise<number> {
  if (ctx.headerSum !== undefined) return ctx.headerSum;
  return (await sumRange(ctx.src, ctx.headerOffset, ctx.dataOffset - ctx.headerOffset)).value();
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
  if (!ctx.header.card('CHECKSUM') && !ctx.header.card('DATASUM')) return { checksum: 'absent', datasum: 'absent' };
  const skipPadding = o.standardPadding === true && ctx.layout.kind !== 'table';
  const dataLen = skipPadding ? ctx.layout.dataSize : Math.ceil(ctx.layout.dataSize / 2880) * 2880;
  const data = await sumRange(ctx.src, ctx.dataOffset, dataLen);
  return judgeSums(ctx.header, await headerSum(ctx), data.value());
}
