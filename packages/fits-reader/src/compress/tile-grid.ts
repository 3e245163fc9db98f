import { FitsError } from '../errors.js';
import { intKeyword } from '../hdu/layout.js';
import type { Header } from '../header/header.js';

/** The image and tile sizes of a tile-compressed image (axis 0 fastest, as ZNAXISn and ZTILEn). */
export interface TileGrid {
  dims: number[];
  tile: number[];
  /** Tiles along each axis. */
  counts: number[];
}

/** One tile's place in the image: first pixel per axis, extent per axis, pixel count. */
export interface TileBox {
  start: number[];
  ext: number[];
  count: number;
}

export function tileGrid(h: Header, hdu: number): TileGrid {
  const n = intKeyword(h, 'ZNAXIS', hdu);
  const dims: number[] = [];
  const tile: number[] = [];
  for (let i = 1; i <= n; i++) {
    dims.push(intKeyword(h, `ZNAXIS${i}`, hdu));
    tile.push(intKeyword(h, `ZTILE${i}`, hdu, i === 1 ? dims[0] : 1));
    if (tile[i - 1] <= 0) throw new FitsError('bad-keyword', `ZTILE${i} must be positive`, { hdu, keyword: `ZTILE${i}` });
  }
  return { dims, tile, counts: dims.map((d, i) => Math.ceil(d / tile[i])) };
}

/** Where tile `t` (row `t` of the table, axis 0 fastest) lies in the image. */
export function tileBox(g: TileGrid, t: number): TileBox {
  const start: number[] = [];
  const ext: number[] = [];
  let rest = t;
  let count = 1;
  for (let a = 0; a < g.dims.length; a++) {
    const c = rest % g.counts[a];
    rest = Math.floor(rest / g.counts[a]);
    start.push(c * g.tile[a]);
    ext.push(Math.min(g.tile[a], g.dims[a] - c * g.tile[a]));
    count *= ext[a];
  }
  return { start, ext, count };
}

/** The tiles (table rows) that cover image rows [r0, r1) of the last axis. */
export function tilesCovering(g: TileGrid, r0: number, r1: number): number[] {
  const last = g.dims.length - 1;
  const perSlab = g.counts.reduce((a, b) => a * b, 1) / g.counts[last];
  const t0 = Math.floor(r0 / g.tile[last]);
  const t1 = r1 <= r0 ? t0 : Math.ceil(r1 / g.tile[last]);
  const out: number[] = [];
  for (let t = t0 * perSlab; t < t1 * perSlab; t++) out.push(t);
  return out;
}

/**
 * Copy a decoded tile into a region of the image that holds rows [firstRow, firstRow + dims[last])
 * of the last axis, line by line along axis 0; lines outside the region are skipped.
 */
export function placeTile(
  region: { data: { [i: number]: number | bigint; set?: unknown }; dims: number[]; firstRow: number },
  pixels: ArrayLike<number | bigint> & { subarray?: unknown },
  box: TileBox,
): void {
  const nd = region.dims.length;
  const last = nd - 1;
  if (nd === 1) {
    // A 1-D image: its only axis is the row axis, so the tile is clipped to the region's rows.
    const from = Math.max(box.start[0], region.firstRow);
    const to = Math.min(box.start[0] + box.ext[0], region.firstRow + region.dims[0]);
    for (let x = from; x < to; x++) (region.data as Int32Array)[x - region.firstRow] = (pixels as Int32Array)[x - box.start[0]];
    return;
  }
  const strides: number[] = [];
  let s = 1;
  for (let a = 0; a < nd; a++) {
    strides.push(s);
    s *= region.dims[a];
  }
  const idx = new Array(nd).fill(0);
  const line = box.ext[0];
  const sameType = pixels.constructor === region.data.constructor;
  for (let p = 0; p < box.count; p += line) {
    let dest = box.start[0];
    let inside = true;
    for (let a = 1; a < nd; a++) {
      const coord = box.start[a] + idx[a] - (a === last ? region.firstRow : 0);
      if (a === last && (coord < 0 || coord >= region.dims[last])) inside = false;
      dest += coord * strides[a];
    }
    if (inside) {
      if (sameType) (region.data as Int32Array).set((pixels as Int32Array).subarray(p, p + line), dest);
      else for (let i = 0; i < line; i++) (region.data as Int32Array)[dest + i] = (pixels as Int32Array)[p + i];
    }
    for (let a = 1; a < nd; a++) {
      if (++idx[a] < box.ext[a]) break;
      idx[a] = 0;
    }
  }
}
