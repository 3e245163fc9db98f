import type { NumericArray } from '../table/decode-binary.js';
import type { CardInput } from './cards.js';

/** One column to write. Vector cells are flat, row after row; `cellShape` (numpy order) says the cell. */
export interface TableColumnInput {
  name: string;
  data: NumericArray | string[] | (boolean | null)[];
  cellShape?: number[];
  /** Characters per string (default: the longest string). */
  width?: number;
  unit?: string;
}

interface Kind {
  code: string;
  size: number;
  tzero?: number | bigint;
  put: (dv: DataView, at: number, v: unknown) => void;
}

function kindOf(data: TableColumnInput['data']): Kind {
  if (data instanceof Float64Array) return { code: 'D', size: 8, put: (dv, at, v) => dv.setFloat64(at, v as number) };
  if (data instanceof Float32Array) return { code: 'E', size: 4, put: (dv, at, v) => dv.setFloat32(at, v as number) };
  if (data instanceof Int32Array) return { code: 'J', size: 4, put: (dv, at, v) => dv.setInt32(at, v as number) };
  if (data instanceof Uint32Array)
    return { code: 'J', size: 4, tzero: 2147483648, put: (dv, at, v) => dv.setUint32(at, ((v as number) ^ 0x80000000) >>> 0) };
  if (data instanceof Int16Array) return { code: 'I', size: 2, put: (dv, at, v) => dv.setInt16(at, v as number) };
  if (data instanceof Uint16Array)
    return { code: 'I', size: 2, tzero: 32768, put: (dv, at, v) => dv.setUint16(at, (v as number) ^ 0x8000) };
  if (data instanceof Uint8Array) return { code: 'B', size: 1, put: (dv, at, v) => dv.setUint8(at, v as number) };
  if (data instanceof Int8Array)
    return { code: 'B', size: 1, tzero: -128, put: (dv, at, v) => dv.setUint8(at, ((v as number) + 128) & 0xff) };
  if (data instanceof BigInt64Array) return { code: 'K', size: 8, put: (dv, at, v) => dv.setBigInt64(at, v as bigint) };
  if (data instanceof BigUint64Array) {
    return {
      code: 'K',
      size: 8,
      tzero: 9223372036854775808n,
      put: (dv, at, v) => dv.setBigUint64(at, (v as bigint) ^ 0x8000000000000000n),
    };
  }
  if (Array.isArray(data) && data.every((v) => typeof v === 'string')) return { code: 'A', size: 1, put: () => {} };
  if (Array.isArray(data) && data.every((v) => v === null || typeof v === 'boolean')) {
    return { code: 'L', size: 1, put: (dv, at, v) => dv.setUint8(at, v === null ? 0 : v ? 0x54 : 0x46) };
  }
  throw new Error('unsupported column data type');
}

/** Column cards (TTYPE/TFORM/TZERO/TDIM/TUNIT) and big-endian row bytes of a table. */
export function encodeTable(columns: TableColumnInput[], numRows: number): { cards: CardInput[]; bytes: Uint8Array; rowBytes: number } {
  const plans = columns.map((c, i) => {
    const kind = kindOf(c.data);
    const perRow = numRows === 0 ? (c.cellShape ?? []).reduce((a, b) => a * b, 1) : c.data.length / numRows;
    if (!Number.isInteger(perRow)) throw new Error(`column ${c.name}: ${c.data.length} values do not split into ${numRows} rows`);
    let width = 0;
    let repeat = perRow;
    if (kind.code === 'A') {
      width = c.width ?? Math.max(1, ...(c.data as string[]).map((s) => s.length));
      repeat = perRow * width;
    }
    const cards: CardInput[] = [
      { keyword: `TTYPE${i + 1}`, value: c.name },
      { keyword: `TFORM${i + 1}`, value: `${repeat}${kind.code}` },
    ];
    if (kind.tzero !== undefined) cards.push({ keyword: `TSCAL${i + 1}`, value: 1 }, { keyword: `TZERO${i + 1}`, value: kind.tzero });
    const shape = c.cellShape ?? [];
    const tdim =
      kind.code === 'A' ? (perRow > 1 ? [width, ...[...shape].reverse()] : undefined) : shape.length > 1 ? [...shape].reverse() : undefined;
    if (tdim) cards.push({ keyword: `TDIM${i + 1}`, value: `(${tdim.join(',')})` });
    if (c.unit) cards.push({ keyword: `TUNIT${i + 1}`, value: c.unit });
    return { c, kind, perRow, width, bytes: kind.code === 'A' ? repeat : repeat * kind.size, cards };
  });
  const rowBytes = plans.reduce((a, p) => a + p.bytes, 0);
  const out = new Uint8Array(rowBytes * numRows);
  const dv = new DataView(out.buffer);
  let offset = 0;
  for (const p of plans) {
    for (let r = 0; r < numRows; r++) {
      const base = r * rowBytes + offset;
      if (p.kind.code === 'A') {
        for (let j = 0; j < p.perRow; j++) {
          const s = (p.c.data as string[])[r * p.perRow + j];
          const at = base + j * p.width;
          for (let k = 0; k < p.width; k++) out[at + k] = k < s.length ? s.charCodeAt(k) & 0xff : 0x20;
        }
        continue;
      }
      for (let j = 0; j < p.perRow; j++) p.kind.put(dv, base + j * p.kind.size, p.c.data[r * p.perRow + j]);
    }
    offset += p.bytes;
  }
  return { cards: plans.flatMap((p) => p.cards), bytes: out, rowBytes };
}
