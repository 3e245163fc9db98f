import type { ChecksumResult } from '../checksum/ones-sum.js';
import { FitsError } from '../errors.js';
import type { HduContext } from '../hdu/context.js';
import { readChunk } from '../source/byte-source.js';
import { runsOf } from '../util/ranges.js';
import { permuteRows, planRows, type RowSelection } from '../util/rows.js';
import { type ColumnDef, selectColumns } from './columns.js';
import { allocate, type ColumnData, decodeCells, markNulls, type NumericArray } from './decode-binary.js';
import { readVlaColumns } from './vla.js';

/** Public description of one returned column. */
export interface ColumnInfo {
  /** Key of the column in `columns` (TTYPE as written, made unique). */
  name: string;
  /** 1-based column number in the HDU. */
  index: number;
  tform: string;
  /** numpy-style physical element type. */
  dtype: string;
  /** Shape of one cell in numpy order (`[]` for a scalar). */
  cellShape: number[];
  unit?: string;
  tnull?: number | bigint | string;
  tscal?: number;
  tzero?: number | bigint;
  /** Characters per string, for string columns. */
  itemsize?: number;
  /** True for P/Q variable-length columns. */
  vla: boolean;
  /** Per-element 1 where the stored value equals TNULL (or the field is blank, ASCII tables). */
  nulls?: Uint8Array;
}

/** Columns of a table read into native typed arrays. */
export interface Table {
  numRows: number;
  columns: Record<string, ColumnData>;
  info: Record<string, ColumnInfo>;
  /** CHECKSUM/DATASUM verdicts, when read with `verify: true`. */
  checksums?: ChecksumResult;
}

/** Options of {@link FitsFile.readTable}. */
export interface ReadTableOptions {
  columns?: string[];
  rows?: RowSelection;
  /**
   * Check the HDU's DATASUM and CHECKSUM on the way: bytes the read fetches are summed as they pass,
   * anything it skipped is read once more, and a mismatch is a FitsError `bad-checksum`. The verdict
   * is returned as `checksums` (`absent` when the header has neither keyword).
   */
  verify?: boolean;
}

// Small enough to stay in L2 while every column is decoded from it, and the fastest read size here.
const CHUNK_BYTES = 128 << 10;
/** How far ahead a whole-table read tells a remote source what it will read. */
const PREFETCH_ROWS_BYTES = 8 << 20;
/** Rows closer than this many bytes are read in one request rather than two. */
const MAX_GAP_BYTES = 64 << 10;

export function columnInfo(c: ColumnDef, nulls?: Uint8Array): ColumnInfo {
  const info: ColumnInfo = { name: c.key, index: c.index, tform: c.tform, dtype: c.dtype, cellShape: c.cellShape, vla: c.vla };
  if (c.unit !== undefined) info.unit = c.unit;
  if (c.tnull !== undefined) info.tnull = c.tnull;
  if (c.tscal !== 1) info.tscal = c.tscal;
  if (Number(c.tzero) !== 0) info.tzero = c.tzero;
  if (c.itemsize !== undefined) info.itemsize = c.itemsize;
  if (nulls) info.nulls = nulls;
  return info;
}

/** The physical-value array of `n` rows for a fixed-width column. */
function outputFor(c: ColumnDef, n: number) {
  return allocate(c, n * c.perRow);
}

/**
 * Read a BINTABLE's rows and columns. Rows are planned as coalesced runs, read in ~4 MiB chunks
 * and decoded column by column while the chunk is hot in cache.
 */
export async function readBinaryTable(ctx: HduContext, all: ColumnDef[], opts: ReadTableOptions = {}): Promise<Table> {
  const [rowBytes, nrows] = [ctx.layout.naxes[0] ?? 0, ctx.layout.naxes[1] ?? 0];
  const cols = selectColumns(all, opts.columns, ctx.index);
  const plan = planRows(opts.rows, nrows, ctx.index);
  const fixed = cols.filter((c) => !c.vla);
  const vlas = cols.filter((c) => c.vla);
  const n = plan.unique ? plan.unique.length : plan.count;

  const outs = new Map<ColumnDef, NumericArray | string[] | (boolean | null)[]>();
  const nulls = new Map<ColumnDef, Uint8Array>();
  for (const c of fixed) {
    outs.set(c, outputFor(c, n));
    if (c.tnull !== undefined && 'BIJK'.includes(c.code)) nulls.set(c, new Uint8Array(n * c.perRow));
  }
  // Descriptor fields of VLA columns are decoded like any fixed field, as raw bytes.
  const descriptors = new Map<ColumnDef, Uint8Array>();
  for (const c of vlas) descriptors.set(c, new Uint8Array(n * c.width));

  const decodeRun = (bytes: Uint8Array, firstOff: number, count: number, outRow: number) => {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (const c of fixed) {
      if (c.perRow === 0) continue;
      decodeCells(c, bytes, dv, firstOff + c.offset, count, rowBytes, c.perRow, outs.get(c)!, outRow * c.perRow);
      const nl = nulls.get(c);
      if (nl) markNulls(c, bytes, dv, firstOff + c.offset, count, rowBytes, c.perRow, nl, outRow * c.perRow);
    }
    for (const c of vlas) {
      const d = descriptors.get(c)!;
      for (let r = 0; r < count; r++) {
        const p = firstOff + r * rowBytes + c.offset;
        d.set(bytes.subarray(p, p + c.width), (outRow + r) * c.width);
      }
    }
  };

  if (n > 0 && cols.length > 0 && rowBytes > 0) {
    const lastRow = plan.unique ? plan.unique[plan.unique.length - 1] : plan.end - 1;
    const need = (lastRow + 1) * rowBytes;
    if (ctx.dataOffset + need > ctx.src.size) {
      throw new FitsError(
        'truncated',
        `table rows need ${need} bytes but the file ends ${ctx.src.size - ctx.dataOffset} bytes into the data (truncated file)`,
        {
          hdu: ctx.index,
          offset: ctx.src.size,
        },
      );
    }
    const rowsPerChunk = Math.max(1, Math.floor(CHUNK_BYTES / rowBytes));
    // One scratch buffer for every chunk: decoded values are copied out, so it can be reused.
    const scratch = ctx.src.readInto
      ? new Uint8Array(Math.min(rowsPerChunk * rowBytes, (lastRow + 1 - (plan.unique ? plan.unique[0] : plan.start)) * rowBytes))
      : undefined;
    if (!plan.unique) {
      // A remote source is told what comes a window ahead, so the chunks below cost a few requests in
      // flight instead of one round trip each; the window bounds what is fetched before it is needed.
      let hinted = plan.start;
      for (let r = plan.start; r < plan.end; r += rowsPerChunk) {
        if (ctx.src.prefetch && r >= hinted - Math.floor(PREFETCH_ROWS_BYTES / 2 / rowBytes)) {
          const to = Math.min(plan.end, Math.max(hinted, r) + Math.max(rowsPerChunk, Math.floor(PREFETCH_ROWS_BYTES / rowBytes)));
          if (to > hinted) ctx.src.prefetch([{ offset: ctx.dataOffset + hinted * rowBytes, length: (to - hinted) * rowBytes }]);
          hinted = to;
        }
        const k = Math.min(rowsPerChunk, plan.end - r);
        const bytes = await readChunk(ctx.src, ctx.dataOffset + r * rowBytes, k * rowBytes, scratch, 'table rows', ctx.index);
        decodeRun(bytes, 0, k, r - plan.start);
      }
    } else {
      const rows = plan.unique;
      const runs = runsOf(rows, Math.floor(MAX_GAP_BYTES / rowBytes));
      ctx.src.prefetch?.(runs.map((u) => ({ offset: ctx.dataOffset + u.first * rowBytes, length: (u.last - u.first + 1) * rowBytes })));
      for (const run of runs) {
        // Read the run in chunks; decode each stretch of consecutive wanted rows in one call.
        for (let i = run.from; i < run.to; ) {
          const chunkFirst = rows[i];
          let j = i;
          while (j < run.to && rows[j] - chunkFirst < rowsPerChunk) j++;
          const chunkLast = rows[j - 1];
          const bytes = await readChunk(
            ctx.src,
            ctx.dataOffset + chunkFirst * rowBytes,
            (chunkLast - chunkFirst + 1) * rowBytes,
            scratch,
            'table rows',
            ctx.index,
          );
          let k = i;
          while (k < j) {
            let m = k + 1;
            while (m < j && rows[m] === rows[m - 1] + 1) m++;
            decodeRun(bytes, (rows[k] - chunkFirst) * rowBytes, m - k, k);
            k = m;
          }
          i = j;
        }
      }
    }
  }

  const columns: Record<string, ColumnData> = {};
  const info: Record<string, ColumnInfo> = {};
  const vlaData = vlas.length ? await readVlaColumns(ctx, vlas, descriptors, n, plan) : new Map();
  for (const c of cols) {
    let data: ColumnData = c.vla ? vlaData.get(c)! : outs.get(c)!;
    let nl = nulls.get(c);
    if (plan.order) {
      const per = c.vla ? 1 : c.perRow * (c.dtype.startsWith('complex') ? 2 : 1);
      data = permuteRows(data as never, plan.order, per, (len) =>
        Array.isArray(data) ? new Array(len) : new (data.constructor as new (n: number) => never)(len),
      );
      if (nl) nl = permuteRows(nl, plan.order, c.perRow, (len) => new Uint8Array(len));
    }
    columns[c.key] = data;
    info[c.key] = columnInfo(c, nl);
  }
  return { numRows: plan.count, columns, info };
}
