import type { ColumnData, NumericArray } from '../table/decode-binary.js';
import { type CardInput, formatCard } from './cards.js';
import { encodeChecksum, onesSum } from './checksum-encode.js';
import { encodeTable, type TableColumnInput } from './encode-table.js';

const BLOCK = 2880;

/** An image HDU to write. `shape` is numpy order (slowest axis first); `data` is in storage order. */
export interface ImageHduInput {
  type: 'image';
  data: NumericArray;
  shape: number[];
  name?: string;
  cards?: CardInput[];
}

/** A binary-table HDU to write. */
export interface TableHduInput {
  type: 'table';
  columns: TableColumnInput[];
  numRows: number;
  name?: string;
  cards?: CardInput[];
}

export type HduInput = ImageHduInput | TableHduInput;

/** Options of {@link writeFits}. */
export interface WriteOptions {
  /** Write CHECKSUM and DATASUM on every HDU (default true). */
  checksum?: boolean;
}

const IMAGE_TYPES: Array<[new (n: number) => NumericArray, number, number | bigint | undefined]> = [
  [Uint8Array, 8, undefined],
  [Int8Array, 8, -128],
  [Int16Array, 16, undefined],
  [Uint16Array, 16, 32768],
  [Int32Array, 32, undefined],
  [Uint32Array, 32, 2147483648],
  [BigInt64Array, 64, undefined],
  [BigUint64Array, 64, 9223372036854775808n],
  [Float32Array, -32, undefined],
  [Float64Array, -64, undefined],
];

/** Big-endian bytes of an image, with the offset convention applied to unsigned types (sign-bit flip). */
function imageBytes(data: NumericArray, bitpix: number, offset: number | bigint | undefined): Uint8Array {
  const width = Math.abs(bitpix) / 8;
  const src = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i += width) for (let k = 0; k < width; k++) out[i + k] = src[i + width - 1 - k];
  if (offset !== undefined) for (let i = 0; i < out.length; i += width) out[i] ^= 0x80;
  return out;
}

function headerBytes(cards: CardInput[]): Uint8Array {
  const images = cards.flatMap(formatCard);
  images.push('END'.padEnd(80));
  const n = Math.ceil((images.length * 80) / BLOCK) * BLOCK;
  const out = new Uint8Array(n).fill(0x20);
  let p = 0;
  for (const img of images) {
    for (let i = 0; i < 80; i++) out[p + i] = img.charCodeAt(i);
    p += 80;
  }
  return out;
}

function padData(bytes: Uint8Array): Uint8Array {
  const n = Math.ceil(bytes.length / BLOCK) * BLOCK;
  if (n === bytes.length) return bytes;
  const out = new Uint8Array(n);
  out.set(bytes);
  return out;
}

function structural(first: boolean, hdu: HduInput): { cards: CardInput[]; data: Uint8Array } {
  const lead: CardInput[] = first
    ? [{ keyword: 'SIMPLE', value: true, comment: 'conforms to FITS standard' }]
    : [{ keyword: 'XTENSION', value: hdu.type === 'image' ? 'IMAGE' : 'BINTABLE', comment: 'extension type' }];
  if (hdu.type === 'image') {
    const t = IMAGE_TYPES.find(([C]) => hdu.data instanceof C);
    if (!t) throw new Error('unsupported image array type');
    const [, bitpix, offset] = t;
    const n = hdu.shape.reduce((a, b) => a * b, 1);
    if (n !== hdu.data.length) throw new Error(`shape ${hdu.shape} holds ${n} values but data has ${hdu.data.length}`);
    const cards: CardInput[] = [...lead, { keyword: 'BITPIX', value: bitpix }, { keyword: 'NAXIS', value: hdu.shape.length }];
    for (const [i, d] of [...hdu.shape].reverse().entries()) cards.push({ keyword: `NAXIS${i + 1}`, value: d });
    if (first) cards.push({ keyword: 'EXTEND', value: true });
    else cards.push({ keyword: 'PCOUNT', value: 0 }, { keyword: 'GCOUNT', value: 1 });
    if (offset !== undefined) cards.push({ keyword: 'BSCALE', value: 1 }, { keyword: 'BZERO', value: offset });
    return { cards, data: imageBytes(hdu.data, bitpix, offset) };
  }
  if (first) throw new Error('the first HDU must be an image (use an empty one before tables)');
  const enc = encodeTable(hdu.columns, hdu.numRows);
  const cards: CardInput[] = [
    ...lead,
    { keyword: 'BITPIX', value: 8 },
    { keyword: 'NAXIS', value: 2 },
    { keyword: 'NAXIS1', value: enc.rowBytes, comment: 'bytes per row' },
    { keyword: 'NAXIS2', value: hdu.numRows, comment: 'rows' },
    { keyword: 'PCOUNT', value: 0 },
    { keyword: 'GCOUNT', value: 1 },
    { keyword: 'TFIELDS', value: hdu.columns.length },
    ...enc.cards,
  ];
  return { cards, data: enc.bytes };
}

/**
 * Write HDUs as a FITS file in memory. Images take any typed array (unsigned and signed-byte types
 * use the BZERO convention); tables take columns of typed arrays, strings or logicals.
 *
 * @example
 * const bytes = writeFits([
 *   { type: 'image', data: new Float32Array(0), shape: [0] },
 *   { type: 'table', name: 'CAT', numRows: 2, columns: [{ name: 'ID', data: new BigInt64Array([1n, 2n]) }] },
 * ]);
 */
export function writeFits(hdus: HduInput[], opts: WriteOptions = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  hdus.forEach((hdu, i) => {
    const { cards, data } = structural(i === 0, hdu);
    if (hdu.name) cards.push({ keyword: 'EXTNAME', value: hdu.name });
    cards.push(...(hdu.cards ?? []));
    const padded = padData(data);
    if (opts.checksum !== false) {
      const datasum = onesSum(padded);
      cards.push({ keyword: 'CHECKSUM', value: '0000000000000000', comment: 'HDU checksum' });
      cards.push({ keyword: 'DATASUM', value: String(datasum), comment: 'data unit checksum' });
      const head = headerBytes(cards);
      const total = onesSum(head, datasum);
      const encoded = encodeChecksum(~total >>> 0);
      cards[cards.length - 2] = { keyword: 'CHECKSUM', value: encoded, comment: 'HDU checksum' };
    }
    parts.push(headerBytes(cards), padded);
  });
  const size = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(size);
  let p = 0;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

export type { ColumnData };
