import { FitsError } from '../errors.js';
import type { HduContext } from '../hdu/context.js';
import { readExact } from '../source/byte-source.js';
import { coalesceRanges } from '../util/ranges.js';
import type { RowPlan } from '../util/rows.js';
import type { ColumnDef } from './columns.js';
import { allocate, byteSize, decodeCells, type VlaColumn } from './decode-binary.js';
import { fieldString } from './strings.js';

const MAX_GAP = 64 << 10;

/** Where the heap of a table lives, checked against the data unit. */
export function heapBounds(ctx: HduContext, column?: string): { start: number; size: number } {
  const [rowBytes, nrows] = [ctx.layout.naxes[0] ?? 0, ctx.layout.naxes[1] ?? 0];
  const theapCard = ctx.header.get('THEAP');
  const theap = typeof theapCard === 'number' ? theapCard : rowBytes * nrows;
  if (theap < rowBytes * nrows || theap > ctx.layout.dataSize) {
    throw new FitsError(
      'bad-structure',
      `THEAP = ${theap} puts the heap outside the data unit (rows end at ${rowBytes * nrows}, data unit is ${ctx.layout.dataSize} bytes)`,
      { hdu: ctx.index, keyword: 'THEAP', column },
    );
  }
  return { start: ctx.dataOffset + theap, size: ctx.layout.dataSize - theap };
}

interface Desc {
  nelem: number;
  offset: number;
  bytes: number;
}

/** Decode P (32-bit) or Q (64-bit) descriptors and bounds-check them against the heap before any allocation. */
function descriptorsOf(c: ColumnDef, raw: Uint8Array, n: number, heapSize: number, rowOf: (i: number) => number, hdu: number): Desc[] {
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: Desc[] = new Array(n);
  const q = c.binary?.code === 'Q';
  // A repeat of 0 ('0PB(n)') leaves no descriptor in the row: every cell is empty.
  if (c.width < (q ? 16 : 8)) return Array.from({ length: n }, () => ({ nelem: 0, offset: 0, bytes: 0 }));
  for (let i = 0; i < n; i++) {
    const p = i * c.width;
    let nelem: bigint;
    let offset: bigint;
    if (q) {
      nelem = dv.getBigUint64(p);
      offset = dv.getBigUint64(p + 8);
    } else {
      nelem = BigInt(dv.getUint32(p));
      offset = BigInt(dv.getUint32(p + 4));
    }
    if (nelem === 0n) {
      out[i] = { nelem: 0, offset: 0, bytes: 0 };
      continue;
    }
    const bytes = c.code === 'X' ? (nelem + 7n) / 8n : nelem * BigInt(byteSize(c.code));
    if (offset + bytes > BigInt(heapSize)) {
      throw new FitsError(
        'out-of-bounds',
        `VLA descriptor (length ${nelem}, offset ${offset}) points outside the heap of ${heapSize} bytes (out of bounds)`,
        { hdu, column: c.key, row: rowOf(i) },
      );
    }
    out[i] = { nelem: Number(nelem), offset: Number(offset), bytes: Number(bytes) };
  }
  return out;
}

/** Read the heap arrays of the selected rows of each P/Q column, fetching only the heap bytes they use. */
export async function readVlaColumns(
  ctx: HduContext,
  cols: ColumnDef[],
  descriptors: Map<ColumnDef, Uint8Array>,
  n: number,
  plan: RowPlan,
): Promise<Map<ColumnDef, VlaColumn>> {
  const result = new Map<ColumnDef, VlaColumn>();
  const rowOf = (i: number) => (plan.unique ? plan.unique[i] : plan.start + i);
  for (const c of cols) {
    const heap = heapBounds(ctx, c.key);
    const descs = descriptorsOf(c, descriptors.get(c)!, n, heap.size, rowOf, ctx.index);
    const ranges = coalesceRanges(
      descs.filter((d) => d.bytes > 0).map((d) => ({ offset: d.offset, length: d.bytes })),
      MAX_GAP,
    );
    ctx.src.prefetch?.(ranges.map((r) => ({ offset: heap.start + r.offset, length: r.length })));
    const buffers: Uint8Array[] = [];
    for (const r of ranges) {
      try {
        buffers.push(await readExact(ctx.src, heap.start + r.offset, r.length, 'heap', ctx.index));
      } catch (e) {
        if (e instanceof FitsError && e.code === 'truncated') {
          throw new FitsError(
            'truncated',
            `the heap is truncated: VLA data at heap bytes ${r.offset}–${r.offset + r.length} lie beyond the end of file`,
            {
              hdu: ctx.index,
              column: c.key,
              offset: ctx.src.size,
            },
          );
        }
        throw e;
      }
    }
    const rows: VlaColumn = new Array(n);
    let k = 0;
    // Descriptors may point anywhere; find each one's range by binary search over the sorted ranges.
    for (let i = 0; i < n; i++) {
      const d = descs[i];
      if (d.bytes === 0 && d.nelem === 0) {
        rows[i] = emptyRow(c);
        continue;
      }
      let lo = 0;
      let hi = ranges.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (ranges[mid].offset <= d.offset) lo = mid;
        else hi = mid - 1;
      }
      k = lo;
      const buf = buffers[k];
      const at = d.offset - ranges[k].offset;
      rows[i] = decodeRow(c, buf, at, d.nelem);
    }
    result.set(c, rows);
  }
  return result;
}

function emptyRow(c: ColumnDef): VlaColumn[number] {
  if (c.code === 'A') return '';
  return allocate(c, 0) as VlaColumn[number];
}

function decodeRow(c: ColumnDef, buf: Uint8Array, at: number, nelem: number): VlaColumn[number] {
  if (c.code === 'A') return fieldString(buf, at, nelem);
  const out = allocate(c, nelem);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  decodeCells(c, buf, dv, at, 1, 0, nelem, out, 0);
  return out as VlaColumn[number];
}
