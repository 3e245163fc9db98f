import { FitsError } from '../errors.js';
import type { HduContext } from '../hdu/context.js';
import { intKeyword, layoutOf } from '../hdu/layout.js';
import type { Header } from '../header/header.js';
import { BufferSource, readExact } from '../source/byte-source.js';
import { binaryColumns, type ColumnDef } from '../table/columns.js';
import { byteSize } from '../table/decode-binary.js';
import { type ReadTableOptions, readBinaryTable, type Table } from '../table/read-binary.js';
import { heapBounds } from '../table/vla.js';
import { inflateTile, unshuffle } from './codecs/gzip-tile.js';
import { riceDecode } from './codecs/rice.js';

/** Decompressed tables, kept per HDU so repeated reads decode once. */
const cache = new WeakMap<HduContext, Promise<Uint8Array>>();

/** Read a tile-compressed table (ZTABLE, FITS 4.0 §10.3) through the ordinary table reader. */
export async function readCompressedTable(
  ctx: HduContext,
  stored: ColumnDef[],
  header: Header,
  opts: ReadTableOptions = {},
): Promise<Table> {
  const layout = layoutOf(header, ctx.index, ctx.warn);
  let data = cache.get(ctx);
  if (!data) {
    data = decompressTable(ctx, stored, header);
    cache.set(ctx, data);
    data.catch(() => cache.delete(ctx));
  }
  const bytes = await data;
  const inner: HduContext = { ...ctx, src: new BufferSource(bytes, ctx.src.name), header, layout, headerOffset: 0, dataOffset: 0 };
  return readBinaryTable(inner, binaryColumns(header, ctx.index, layout.naxes[0] ?? 0), opts);
}

/** How the values of one original column are stored. */
interface Plan {
  col: ColumnDef;
  algo: 'GZIP_1' | 'GZIP_2' | 'RICE_1' | 'NOCOMPRESS';
  /** Bytes of one element (1 for L, X, A, B, C and M are shuffled as bytes). */
  elem: number;
  shuffle: number;
}

function planOf(col: ColumnDef, h: Header, hdu: number): Plan {
  const raw = String(h.get(`ZCTYP${col.index}`) ?? 'GZIP_2')
    .trim()
    .toUpperCase();
  const algo = raw === 'RICE_ONE' ? 'RICE_1' : raw;
  if (algo !== 'GZIP_1' && algo !== 'GZIP_2' && algo !== 'RICE_1' && algo !== 'NOCOMPRESS') {
    throw new FitsError('unsupported', `unsupported table column codec ZCTYP${col.index} = ${raw}`, { hdu, keyword: `ZCTYP${col.index}` });
  }
  const elem = byteSize(col.code);
  const shuffle = 'IJEKD'.includes(col.code) ? elem : 1;
  if (algo === 'RICE_1' && !'BIJ'.includes(col.code)) {
    throw new FitsError('unsupported', `RICE_1 on a ${col.code} column is not supported`, { hdu, keyword: `ZCTYP${col.index}` });
  }
  return { col, algo, elem, shuffle };
}

/** Undo one column codec: compressed bytes to the big-endian bytes of `count` elements. */
function decode(p: Plan, bytes: Uint8Array, count: number): Uint8Array {
  switch (p.algo) {
    case 'NOCOMPRESS':
      return bytes;
    case 'GZIP_1':
      return inflateTile(bytes);
    case 'GZIP_2':
      return unshuffle(inflateTile(bytes), p.shuffle);
    case 'RICE_1': {
      const ints = new Int32Array(count);
      riceDecode(bytes, ints, 32, p.elem);
      const out = new Uint8Array(count * p.elem);
      const dv = new DataView(out.buffer);
      for (let i = 0; i < count; i++) {
        if (p.elem === 1) out[i] = ints[i];
        else if (p.elem === 2) dv.setInt16(2 * i, ints[i]);
        else dv.setInt32(4 * i, ints[i]);
      }
      return out;
    }
  }
}

function expect(bytes: Uint8Array, length: number, what: string, hdu: number): Uint8Array {
  if (bytes.length < length) {
    throw new FitsError('bad-compressed-data', `${what} decompresses to ${bytes.length} bytes, expected ${length} (corrupt tile)`, { hdu });
  }
  return bytes;
}

function descriptorAt(dv: DataView, at: number, q: boolean): { nelem: number; offset: number } {
  return q
    ? { nelem: Number(dv.getBigUint64(at)), offset: Number(dv.getBigUint64(at + 8)) }
    : { nelem: dv.getUint32(at), offset: dv.getUint32(at + 4) };
}

/** Whether reading the descriptor block in this order gives descriptors that all fit their heaps. */
function descriptorsFit(
  blob: Uint8Array,
  order: { original: number; compressed: number },
  n: number,
  c: ColumnDef,
  elem: number,
  heapSize: number,
  storedHeap: number,
): boolean {
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  for (let k = 0; k < n; k++) {
    const d = descriptorAt(dv, order.original + k * c.width, c.binary?.code === 'Q');
    const clen = Number(dv.getBigUint64(order.compressed + k * 16));
    const coff = Number(dv.getBigUint64(order.compressed + k * 16 + 8));
    const rawLen = c.code === 'X' ? Math.ceil(d.nelem / 8) : d.nelem * elem;
    if (d.offset + rawLen > heapSize) return false;
    if ((rawLen === 0) !== (clen === 0) || coff + clen > storedHeap) return false;
  }
  return true;
}

/** Rebuild the original table's data unit (rows, then heap) in memory. */
async function decompressTable(ctx: HduContext, stored: ColumnDef[], header: Header): Promise<Uint8Array> {
  const h = ctx.header;
  const hdu = ctx.index;
  const naxis1 = intKeyword(h, 'ZNAXIS1', hdu);
  const nrows = intKeyword(h, 'ZNAXIS2', hdu);
  const zpcount = intKeyword(h, 'ZPCOUNT', hdu, 0);
  const tileLen = Math.max(1, Math.min(intKeyword(h, 'ZTILELEN', hdu), Math.max(1, nrows)));
  const rowsBytes = naxis1 * nrows;
  const theap = intKeyword(h, 'ZTHEAP', hdu, rowsBytes);
  const total = rowsBytes + zpcount;
  // The original data unit is bounded by what the compressed one can expand to is not knowable, so
  // bound it by a generous multiple of the compressed size before allocating.
  if (total > Math.max(1 << 26, ctx.layout.dataSize * 1024)) {
    throw new FitsError('too-large', `the compressed table claims ${total} bytes once decompressed`, { hdu, keyword: 'ZNAXIS2' });
  }
  if (theap < rowsBytes || theap > total)
    throw new FitsError('bad-keyword', `ZTHEAP = ${theap} is outside the data unit`, { hdu, keyword: 'ZTHEAP' });
  const cols = binaryColumns(header, hdu, naxis1);
  const plans = cols.map((c) => planOf(c, h, hdu));
  const ntiles = Math.ceil(nrows / tileLen);
  if ((ctx.layout.naxes[1] ?? 0) !== ntiles || stored.length !== cols.length) {
    throw new FitsError(
      'bad-structure',
      `a compressed table of ${nrows} rows in tiles of ${tileLen} needs ${ntiles} rows × ${cols.length} columns`,
      { hdu, keyword: 'ZTILELEN' },
    );
  }
  const out = new Uint8Array(total);
  const tiles = await readBinaryTable(ctx, stored, {});
  const heap = heapBounds(ctx);
  for (let t = 0; t < ntiles; t++) {
    const r0 = t * tileLen;
    const n = Math.min(tileLen, nrows - r0);
    for (const p of plans) {
      const c = p.col;
      if (c.width === 0) continue;
      const cell = (tiles.columns[stored[c.index - 1].key] as Uint8Array[])[t];
      if (!c.vla) {
        const slab = expect(decode(p, cell, (n * c.width) / p.elem), n * c.width, `column ${c.key} of tile ${t}`, hdu);
        for (let k = 0; k < n; k++) out.set(slab.subarray(k * c.width, (k + 1) * c.width), (r0 + k) * naxis1 + c.offset);
        continue;
      }
      // VLA: the cell holds, gzipped, the tile's original P/Q descriptors and one Q descriptor per
      // row for its compressed cell. FITS 4.0 puts the compressed ones first, CFITSIO writes them
      // last: take the order in which every descriptor is consistent.
      const blob = expect(inflateTile(cell), n * 16 + n * c.width, `descriptors of column ${c.key} in tile ${t}`, hdu);
      const order = [
        { original: n * 16, compressed: 0 },
        { original: 0, compressed: n * c.width },
      ].find((o) => descriptorsFit(blob, o, n, c, p.elem, total - theap, heap.size));
      if (!order) {
        throw new FitsError(
          'bad-compressed-data',
          `VLA descriptors of column ${c.key} in tile ${t} point outside the heap (corrupt tile)`,
          {
            hdu,
            column: c.key,
          },
        );
      }
      const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
      for (let k = 0; k < n; k++) {
        const at = order.original + k * c.width;
        out.set(blob.subarray(at, at + c.width), (r0 + k) * naxis1 + c.offset);
        const d = descriptorAt(dv, at, c.binary?.code === 'Q');
        const clen = Number(dv.getBigUint64(order.compressed + k * 16));
        const coff = Number(dv.getBigUint64(order.compressed + k * 16 + 8));
        if (d.nelem === 0) continue;
        const rawLen = c.code === 'X' ? Math.ceil(d.nelem / 8) : d.nelem * p.elem;
        const packed = await readExact(ctx.src, heap.start + coff, clen, 'compressed heap', hdu);
        const values = clen === rawLen ? packed : expect(decode(p, packed, d.nelem), rawLen, `VLA cell of column ${c.key}`, hdu);
        out.set(values.subarray(0, rawLen), theap + d.offset);
      }
    }
  }
  return out;
}
