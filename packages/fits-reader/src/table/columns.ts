import { FitsError } from '../errors.js';
import { intKeyword } from '../hdu/layout.js';
import type { CardValue } from '../header/card.js';
import type { Header } from '../header/header.js';
import { type AsciiTform, type BinaryTform, parseAsciiTform, parseBinaryTform } from './tform.js';

/** numpy-style name of the physical element type a column returns. */
export type ColumnDtype =
  | 'bool'
  | 'bit'
  | 'uint8'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float32'
  | 'float64'
  | 'complex64'
  | 'complex128'
  | 'str';

/** How stored integers become physical values. */
export type Scaling = 'none' | 'int8' | 'uint16' | 'uint32' | 'uint64' | 'float';

/** Everything the readers need to know about one column, from TTYPE/TFORM/TSCAL/… */
export interface ColumnDef {
  /** 1-based column number. */
  index: number;
  /** Key in the result: TTYPE as written, `col{n}` when missing, `_2`… for repeats. */
  key: string;
  ttype?: string;
  tform: string;
  unit?: string;
  tscal: number;
  tzero: number | bigint;
  tnull?: number | bigint | string;
  tdim?: number[];
  /** Byte offset of the field in the row (binary) or 0-based start column (ASCII). */
  offset: number;
  /** Bytes of the field in the row. */
  width: number;
  binary?: BinaryTform;
  ascii?: AsciiTform;
  /** Element code whose values are produced (the heap element code for P/Q). */
  code: string;
  vla: boolean;
  scaling: Scaling;
  dtype: ColumnDtype;
  /** numpy-order shape of one cell. */
  cellShape: number[];
  /** Values per row (elements for numbers, strings for A, bits for X). */
  perRow: number;
  /** Characters per string for A columns. */
  itemsize?: number;
}

function str(v: CardValue | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  return String(v);
}

function num(h: Header, key: string, hdu: number, dflt: number): number {
  const c = h.card(key);
  if (!c) return dflt;
  if (typeof c.value === 'number') return c.value;
  if (typeof c.value === 'bigint') return Number(c.value);
  throw new FitsError('bad-keyword', `${key} must be a number, found ${JSON.stringify(c.value)}`, { hdu, keyword: key });
}

function zeroOf(h: Header, key: string, hdu: number): number | bigint {
  const c = h.card(key);
  if (!c) return 0;
  if (typeof c.value === 'number' || typeof c.value === 'bigint') return c.value;
  throw new FitsError('bad-keyword', `${key} must be a number, found ${JSON.stringify(c.value)}`, { hdu, keyword: key });
}

function parseTdim(text: string, key: string, hdu: number): number[] {
  const m = /^\s*\(\s*(\d+(?:\s*,\s*\d+)*)\s*\)\s*$/.exec(text);
  if (!m) throw new FitsError('bad-keyword', `${key} = ${JSON.stringify(text)} is not of the form (n1,n2,…)`, { hdu, keyword: key });
  return m[1].split(',').map((s) => Number(s.trim()));
}

/** Pick the physical type and scaling of a numeric column the way REFERENCE-FORMAT §6.1 states. */
function physical(code: string, tscal: number, tzero: number | bigint): { scaling: Scaling; dtype: ColumnDtype } {
  const z = Number(tzero);
  const plain: Record<string, ColumnDtype> = {
    L: 'bool',
    X: 'bit',
    B: 'uint8',
    I: 'int16',
    J: 'int32',
    K: 'int64',
    A: 'str',
    E: 'float32',
    D: 'float64',
    C: 'complex64',
    M: 'complex128',
  };
  if (tscal === 1 && z === 0) return { scaling: 'none', dtype: plain[code] };
  if (code === 'L' || code === 'X' || code === 'A') return { scaling: 'none', dtype: plain[code] };
  if (tscal === 1) {
    if (code === 'B' && z === -128) return { scaling: 'int8', dtype: 'int8' };
    if (code === 'I' && z === 32768) return { scaling: 'uint16', dtype: 'uint16' };
    if (code === 'J' && z === 2147483648) return { scaling: 'uint32', dtype: 'uint32' };
    if (code === 'K' && z === 2 ** 63) return { scaling: 'uint64', dtype: 'uint64' };
  }
  return { scaling: 'float', dtype: code === 'C' ? 'complex128' : 'float64' };
}

function uniqueKeys(names: (string | undefined)[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n, i) => {
    const base = n === undefined || n === '' ? `col${i + 1}` : n;
    const k = base.toUpperCase();
    const count = (seen.get(k) ?? 0) + 1;
    seen.set(k, count);
    return count === 1 ? base : `${base}_${count}`;
  });
}

/**
 * Column definitions of a BINTABLE. For the storage table of a compressed HDU pass `stored: true`:
 * its TSCALn/TZEROn/TNULLn/TDIMn describe the original columns, not the stored byte arrays.
 */
export function binaryColumns(h: Header, hdu: number, rowBytes: number, stored = false): ColumnDef[] {
  const tfields = intKeyword(h, 'TFIELDS', hdu);
  if (tfields < 0 || tfields > 999)
    throw new FitsError('bad-keyword', `TFIELDS = ${tfields} is outside 0–999`, { hdu, keyword: 'TFIELDS' });
  const names: (string | undefined)[] = [];
  for (let i = 1; i <= tfields; i++) names.push(str(h.get(`TTYPE${i}`)));
  const keys = uniqueKeys(names);
  const cols: ColumnDef[] = [];
  let offset = 0;
  for (let i = 1; i <= tfields; i++) {
    const tformText = h.get(`TFORM${i}`);
    if (typeof tformText !== 'string') {
      throw new FitsError('bad-keyword', `TFORM${i} is missing (TFIELDS = ${tfields})`, { hdu, keyword: `TFORM${i}` });
    }
    const tf = parseBinaryTform(tformText);
    if (typeof tf === 'string') throw new FitsError('bad-keyword', tf, { hdu, keyword: `TFORM${i}` });
    const tscal = stored ? 1 : num(h, `TSCAL${i}`, hdu, 1);
    const tzero = stored ? 0 : zeroOf(h, `TZERO${i}`, hdu);
    const tdimText = stored ? undefined : str(h.get(`TDIM${i}`));
    const tdim = tdimText === undefined ? undefined : parseTdim(tdimText, `TDIM${i}`, hdu);
    const vla = tf.code === 'P' || tf.code === 'Q';
    const code = vla ? (tf.elemCode as string) : tf.code;
    const { scaling, dtype } = physical(code, tscal, tzero);
    let cellShape: number[];
    let perRow = tf.repeat;
    let itemsize: number | undefined;
    // TDIM may describe fewer elements than the repeat (the rest of the cell is ignored, as astropy
    // does) but never more; the cell shape and the elements decoded per row always agree.
    const tdimCount = tdim?.reduce((a, b) => a * b, 1);
    if (!vla && tdim && tdimCount! > tf.repeat) {
      throw new FitsError('bad-keyword', `TDIM${i} ${tdimText} holds ${tdimCount} elements but TFORM${i} has only ${tf.repeat}`, {
        hdu,
        keyword: `TDIM${i}`,
      });
    }
    if (vla) cellShape = [];
    else if (tf.repeat === 0) cellShape = [0];
    else if (code === 'A') {
      itemsize = tdim ? tdim[0] : tf.repeat;
      perRow = tdim ? tdim.slice(1).reduce((a, b) => a * b, 1) : 1;
      cellShape = tdim && tdim.length > 1 ? tdim.slice(1).reverse() : [];
    } else if (tdim) {
      perRow = tdimCount!;
      cellShape = [...tdim].reverse();
    } else cellShape = tf.repeat === 1 ? [] : [tf.repeat];
    const tnullCard = stored ? undefined : h.card(`TNULL${i}`);
    cols.push({
      index: i,
      key: keys[i - 1],
      ttype: names[i - 1],
      tform: tformText.trim(),
      unit: str(h.get(`TUNIT${i}`)),
      tscal,
      tzero,
      tnull: tnullCard ? (tnullCard.value as number | bigint) : undefined,
      tdim,
      offset,
      width: tf.width,
      binary: tf,
      code,
      vla,
      scaling,
      dtype,
      cellShape,
      perRow,
      itemsize,
    });
    offset += tf.width;
  }
  if (offset > rowBytes) {
    throw new FitsError('bad-structure', `the columns need ${offset} bytes per row (sum of TFORM widths) but NAXIS1 = ${rowBytes}`, {
      hdu,
      keyword: 'NAXIS1',
    });
  }
  return cols;
}

/** Column definitions of an ASCII TABLE extension. */
export function asciiColumns(h: Header, hdu: number, rowBytes: number): ColumnDef[] {
  const tfields = intKeyword(h, 'TFIELDS', hdu);
  if (tfields < 0 || tfields > 999)
    throw new FitsError('bad-keyword', `TFIELDS = ${tfields} is outside 0–999`, { hdu, keyword: 'TFIELDS' });
  const names: (string | undefined)[] = [];
  for (let i = 1; i <= tfields; i++) names.push(str(h.get(`TTYPE${i}`)));
  const keys = uniqueKeys(names);
  const cols: ColumnDef[] = [];
  for (let i = 1; i <= tfields; i++) {
    const tformText = h.get(`TFORM${i}`);
    if (typeof tformText !== 'string')
      throw new FitsError('bad-keyword', `TFORM${i} is missing (TFIELDS = ${tfields})`, { hdu, keyword: `TFORM${i}` });
    const tf = parseAsciiTform(tformText);
    if (typeof tf === 'string') throw new FitsError('bad-keyword', tf, { hdu, keyword: `TFORM${i}` });
    const tbcol = intKeyword(h, `TBCOL${i}`, hdu);
    if (tbcol < 1 || tbcol - 1 + tf.width > rowBytes) {
      throw new FitsError('bad-keyword', `TBCOL${i} = ${tbcol} with width ${tf.width} does not fit in NAXIS1 = ${rowBytes}`, {
        hdu,
        keyword: `TBCOL${i}`,
      });
    }
    const tscal = num(h, `TSCAL${i}`, hdu, 1);
    const tzero = zeroOf(h, `TZERO${i}`, hdu);
    const scaled = tscal !== 1 || Number(tzero) !== 0;
    let dtype: ColumnDtype;
    if (tf.code === 'A') dtype = 'str';
    else if (tf.code === 'I' && !scaled) dtype = tf.width <= 9 ? 'int32' : 'float64';
    else dtype = 'float64';
    const tnull = h.get(`TNULL${i}`);
    cols.push({
      index: i,
      key: keys[i - 1],
      ttype: names[i - 1],
      tform: tformText.trim(),
      unit: str(h.get(`TUNIT${i}`)),
      tscal,
      tzero,
      tnull: tnull === undefined || tnull === null ? undefined : String(tnull),
      offset: tbcol - 1,
      width: tf.width,
      ascii: tf,
      code: tf.code,
      vla: false,
      scaling: scaled && tf.code !== 'A' ? 'float' : 'none',
      dtype,
      cellShape: [],
      perRow: 1,
      itemsize: tf.code === 'A' ? tf.width : undefined,
    });
  }
  return cols;
}

/** Resolve a requested column list (case-insensitive names) to definitions, in the order asked. */
export function selectColumns(all: ColumnDef[], wanted: string[] | undefined, hdu: number): ColumnDef[] {
  if (!wanted) return all;
  return wanted.map((w) => {
    const u = w.toUpperCase();
    const c = all.find((d) => d.key.toUpperCase() === u) ?? all.find((d) => d.ttype?.toUpperCase() === u);
    if (!c) {
      throw new FitsError('not-found', `no column ${JSON.stringify(w)} (columns: ${all.map((d) => d.key).join(', ')})`, { hdu, column: w });
    }
    return c;
  });
}
