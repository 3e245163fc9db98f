import type { ChecksumResult } from '../checksum/ones-sum.js';
import { FitsError } from '../errors.js';
import type { HduContext } from '../hdu/context.js';
import type { Header } from '../header/header.js';
import { readExact } from '../source/byte-source.js';
import type { NumericArray } from '../table/decode-binary.js';
import { runsOf } from '../util/ranges.js';
import { permuteRows, planRows, type RowSelection } from '../util/rows.js';
import { swapInPlace } from '../util/swap.js';
import { type ImageScaling, physicalDtype, rawArrayType, toPhysical } from './physical.js';

/** An image's physical values. */
export interface Image {
  /** Native-endian physical values in storage order (the first FITS axis varies fastest). */
  data: NumericArray;
  /** numpy order: `[NAXISn, …, NAXIS1]` (the first entry is the number of rows returned). */
  shape: number[];
  /** 1 where the stored value equals BLANK; undefined when the header has no BLANK. */
  nulls?: Uint8Array;
  /** numpy-style name of the physical type. */
  dtype: string;
  /** CHECKSUM/DATASUM verdicts, when read with `verify: true`. */
  checksums?: ChecksumResult;
}

/** Options of {@link FitsFile.readImage}. */
export interface ReadImageOptions {
  /** Rows of the slowest axis (NAXISn) to return. */
  rows?: RowSelection;
  /**
   * Check the HDU's DATASUM and CHECKSUM on the way: bytes the read fetches are summed as they pass,
   * anything it skipped is read once more, and a mismatch is a FitsError `bad-checksum`. The verdict
   * is returned as `checksums` (`absent` when the header has neither keyword).
   */
  verify?: boolean;
}

const CHUNK = 16 << 20;
/** Slice for zero-copy sources: about L2-sized, so the swap runs on cached bytes. */
const SLICE = 256 << 10;

function numberOrBig(h: Header, key: string, dflt: number): number | bigint {
  const v = h.get(key);
  return typeof v === 'number' || typeof v === 'bigint' ? v : dflt;
}

/**
 * BSCALE, BZERO and BLANK of an image. A BLANK that is not an integer cannot equal any stored value:
 * it is ignored with a warning, as astropy does.
 */
export function imageScaling(h: Header, bitpix: number, ctx?: Pick<HduContext, 'index' | 'warn'>, blankKey = 'BLANK'): ImageScaling {
  const bscale = Number(numberOrBig(h, 'BSCALE', 1));
  const bzero = numberOrBig(h, 'BZERO', 0);
  const blankV = bitpix > 0 ? h.get(blankKey) : undefined;
  const integral = typeof blankV === 'bigint' || (typeof blankV === 'number' && Number.isInteger(blankV));
  if (blankV !== undefined && !integral && ctx) {
    ctx.warn({
      code: 'bad-blank',
      hdu: ctx.index,
      keyword: blankKey,
      message: `HDU ${ctx.index}: ${blankKey} = ${String(blankV)} is not an integer; ignored`,
    });
  }
  return { bscale, bzero, blank: integral ? (blankV as number | bigint) : undefined };
}

/**
 * Read into `dest` the bytes at `offset` and byte-swap them, slice by slice, so each slice is swapped
 * while it is still in cache (one pass over fresh memory instead of two). Uses the source's zero-copy
 * `readInto` when it has one.
 */
async function fillSwapped(ctx: HduContext, offset: number, dest: Uint8Array, width: number): Promise<void> {
  const src = ctx.src;
  const slice = src.readInto ? SLICE : CHUNK;
  for (let done = 0; done < dest.length; done += slice) {
    const len = Math.min(slice, dest.length - done);
    const part = dest.subarray(done, done + len);
    if (src.readInto && offset + done + len <= src.size) {
      const got = await src.readInto(offset + done, part);
      if (got < len) throw truncated(ctx, offset + done + got);
    } else {
      part.set(await readExact(src, offset + done, len, 'image data', ctx.index));
    }
    swapInPlace(part, width);
  }
}

function truncated(ctx: HduContext, at: number): FitsError {
  return new FitsError('truncated', `image data end at byte ${at}, before the size the header declares (truncated file)`, {
    hdu: ctx.index,
    offset: at,
  });
}

/** Read a (non-compressed) image or primary array, whole or by rows of its slowest axis. */
export async function readPlainImage(ctx: HduContext, opts: ReadImageOptions = {}): Promise<Image> {
  const { bitpix, naxes } = ctx.layout;
  const scaling = imageScaling(ctx.header, bitpix, ctx);
  const dtype = physicalDtype(bitpix, scaling);
  const width = Math.abs(bitpix) / 8;
  const Ctor = rawArrayType(bitpix);
  if (naxes.length === 0) {
    return { data: toPhysical(new Ctor(0), bitpix, scaling).data, shape: [], dtype };
  }
  const nrows = naxes[naxes.length - 1];
  const rowElems = naxes.slice(0, -1).reduce((a, b) => a * b, 1);
  const rowBytes = rowElems * width;
  const plan = planRows(opts.rows, nrows, ctx.index);
  const rowsToRead = plan.unique ? plan.unique.length : plan.count;
  const lastRow = plan.unique ? plan.unique[plan.unique.length - 1] : plan.end - 1;
  // Check before allocating: the declared data must exist in the source.
  if (rowsToRead > 0 && ctx.dataOffset + (lastRow + 1) * rowBytes > ctx.src.size) {
    throw new FitsError(
      'truncated',
      `the header declares ${ctx.layout.dataSize} bytes of data (NAXIS${naxes.length} = ${nrows}) but the file ends after ${Math.max(0, ctx.src.size - ctx.dataOffset)} (truncated file or wrong size)`,
      { hdu: ctx.index, keyword: `NAXIS${naxes.length}`, offset: ctx.src.size },
    );
  }
  const raw = new Ctor(rowsToRead * rowElems);
  const bytes = new Uint8Array(raw.buffer);
  if (!plan.unique) {
    await fillSwapped(ctx, ctx.dataOffset + plan.start * rowBytes, bytes, width);
  } else {
    const rows = plan.unique;
    // Read runs of consecutive rows only: image rows are large, so bridging gaps would read whole
    // rows nobody asked for. Remote sources merge nearby ranges themselves when they prefetch.
    const runs = runsOf(rows, 0);
    ctx.src.prefetch?.(runs.map((r) => ({ offset: ctx.dataOffset + r.first * rowBytes, length: (r.last - r.first + 1) * rowBytes })));
    for (const run of runs) {
      const span = await readExact(
        ctx.src,
        ctx.dataOffset + run.first * rowBytes,
        (run.last - run.first + 1) * rowBytes,
        'image rows',
        ctx.index,
      );
      for (let i = run.from; i < run.to; i++) {
        const at = (rows[i] - run.first) * rowBytes;
        bytes.set(span.subarray(at, at + rowBytes), i * rowBytes);
      }
    }
    swapInPlace(bytes, width);
  }
  let { data, nulls } = toPhysical(raw, bitpix, scaling);
  if (plan.order) {
    data = permuteRows(data, plan.order, rowElems, (n) => new (data.constructor as new (n: number) => NumericArray)(n));
    if (nulls) nulls = permuteRows(nulls, plan.order, rowElems, (n) => new Uint8Array(n));
  }
  const shape = [plan.count, ...naxes.slice(0, -1).reverse()];
  return nulls ? { data, shape, nulls, dtype } : { data, shape, dtype };
}
