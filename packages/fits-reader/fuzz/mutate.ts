import { gunzipSync, gzipSync } from 'node:zlib';
import { BLOCK, CARD, cardInt, cardKeyword, type HduSpan, hduSpans, writeCard } from './fits-bytes.js';
import type { Random } from './random.js';

/** One corpus file the mutator starts from. */
export interface Seed {
  name: string;
  bytes: Uint8Array;
}

/** A mutated file and what was done to it, in words a reproducer can show. */
export interface Mutant {
  seed: string;
  /** The class of mutation (the outcome table is also broken down by it). */
  kind: MutationKind;
  steps: string[];
  bytes: Uint8Array;
}

export type MutationKind = 'header-edit' | 'header-card' | 'byte-flip' | 'truncate' | 'data-fill' | 'vla-descriptor' | 'stacked';

const INT_VALUES = [
  '0',
  '1',
  '-1',
  '2',
  '3',
  '7',
  '-2147483648',
  '2147483647',
  '2147483648',
  '4294967295',
  '4294967296',
  '4294967297',
  '1000000000000',
  '9007199254740993',
  '9223372036854775807',
  '99999999999999999999999',
  '1.5',
  '1E3',
  "'12'",
  'T',
  '',
];
const FLOAT_VALUES = ['0', '-1', '1E308', '-1E308', '1E-308', '32768', '2147483648', '9223372036854775808', '0.5', "'NaN'", 'T', ''];
const TFORMS = [
  "'0A'",
  "'K'",
  "'1K'",
  "'1D'",
  "'E'",
  "'J'",
  "'B'",
  "'1PB(4)'",
  "'1PB(2147483647)'",
  "'1PJ'",
  "'1QD(5)'",
  "'1PE(0)'",
  "'2PI(3)'",
  "'0P'",
  "'2147483647E'",
  "'9999999999B'",
  "'0X'",
  "'100X'",
  "'3L'",
  "'1C'",
  "'2M'",
  "'Q'",
  "'Z'",
  "'-1J'",
  "'1PZ(3)'",
  "'8A4'",
  "'A'",
  "'I10'",
  "'F8.3'",
  "'E20.10'",
  "'D25.17'",
  "''",
];
const TDIMS = [
  "'(0)'",
  "'(1)'",
  "'(2,2)'",
  "'(3)'",
  "'(4,3)'",
  "'(1000000,1000000)'",
  "'(-1)'",
  "'()'",
  "'(1,1,1,1,1,1,1,1,1)'",
  "'2,2'",
  "'(a)'",
];
const STRING_VALUES: Record<string, string[]> = {
  XTENSION: ["'IMAGE   '", "'BINTABLE'", "'TABLE   '", "'A3DTABLE'", "'FOOBAR  '", "''"],
  ZCMPTYPE: ["'RICE_1  '", "'GZIP_1  '", "'GZIP_2  '", "'HCOMPRESS_1'", "'PLIO_1  '", "'NOCOMPRESS'", "'BOGUS   '"],
  ZQUANTIZ: ["'NO_DITHER'", "'SUBTRACTIVE_DITHER_1'", "'SUBTRACTIVE_DITHER_2'", "'WHAT'"],
  ZNAME1: ["'BLOCKSIZE'", "'BYTEPIX '", "'SCALE   '", "'SMOOTH  '", "'NOISEBIT'"],
  ZNAME2: ["'BLOCKSIZE'", "'BYTEPIX '", "'SCALE   '", "'SMOOTH  '"],
  ZCTYP1: ["'GZIP_1  '", "'GZIP_2  '", "'RICE_1  '", "'BOGUS   '"],
  GROUPS: ['T', 'F'],
  SIMPLE: ['T', 'F'],
  EXTEND: ['T', 'F', '3'],
  ZIMAGE: ['T', 'F'],
  ZTABLE: ['T', 'F'],
  EXTNAME: ["'COMPRESSED_IMAGE'", "''", "'X'"],
};

/** Which values a keyword is given; undefined when the fuzzer leaves it alone. */
function valuesFor(keyword: string): string[] | undefined {
  if (STRING_VALUES[keyword]) return STRING_VALUES[keyword];
  if (/^(T|Z)FORM\d+$/.test(keyword)) return TFORMS;
  if (/^TDIM\d+$/.test(keyword)) return TDIMS;
  if (/^(BSCALE|BZERO|TSCAL\d+|TZERO\d+|ZSCALE|ZZERO|ZVAL\d+|ZDITHER0)$/.test(keyword)) return FLOAT_VALUES;
  if (
    /^(BITPIX|ZBITPIX|NAXIS\d*|ZNAXIS\d*|ZTILE\d+|PCOUNT|GCOUNT|ZPCOUNT|ZGCOUNT|THEAP|ZTHEAP|TFIELDS|TBCOL\d+|TNULL\d+|BLANK|ZBLANK|ZVAL\d+|EXTVER)$/.test(
      keyword,
    )
  )
    return INT_VALUES;
  return undefined;
}

const WIDTH: Record<string, number> = { L: 1, B: 1, I: 2, J: 4, K: 8, A: 1, E: 4, D: 8, C: 8, M: 16, P: 8, Q: 16 };

/** Byte offsets within a row of every P/Q column of a BINTABLE (an independent TFORM reading). */
function descriptorColumns(bytes: Uint8Array, span: HduSpan): Array<{ offset: number; q: boolean }> {
  const forms = new Map<number, string>();
  for (const at of span.cards) {
    const m = /^TFORM(\d+)$/.exec(cardKeyword(bytes, at));
    if (m) forms.set(Number(m[1]), new TextDecoder('latin1').decode(bytes.subarray(at + 10, at + CARD)));
  }
  const out: Array<{ offset: number; q: boolean }> = [];
  let offset = 0;
  for (let n = 1; forms.has(n); n++) {
    const m = /'\s*(\d*)([A-Z])/.exec(forms.get(n)!);
    if (!m) return out;
    const repeat = m[1] === '' ? 1 : Number(m[1]);
    const code = m[2];
    if (code === 'P' || code === 'Q') out.push({ offset, q: code === 'Q' });
    offset +=
      code === 'X' ? Math.ceil(repeat / 8) : code === 'P' || code === 'Q' ? (repeat ? WIDTH[code] : 0) : repeat * (WIDTH[code] ?? 0);
  }
  return out;
}

function headerEdit(r: Random, bytes: Uint8Array, spans: HduSpan[], steps: string[]): boolean {
  const h = r.int(spans.length);
  const editable = spans[h].cards.filter((at) => valuesFor(cardKeyword(bytes, at)) !== undefined);
  if (editable.length === 0) return false;
  const at = r.pick(editable);
  const keyword = cardKeyword(bytes, at);
  const values = valuesFor(keyword)!;
  let value = r.pick(values);
  const old = cardInt(bytes, at);
  // Near-miss values find off-by-one checks that the extreme values skip.
  if (old !== undefined && values === INT_VALUES && r.chance(0.3))
    value = String(r.pick([old + 1, old - 1, old * 2, Math.floor(old / 2), old + 2880]));
  writeCard(bytes, at, keyword, value);
  steps.push(`HDU ${h} ${keyword} = ${value}`);
  return true;
}

function headerCard(r: Random, bytes: Uint8Array, spans: HduSpan[], steps: string[]): boolean {
  const h = r.int(spans.length);
  const { cards } = spans[h];
  if (cards.length < 2) return false;
  const at = cards[r.range(1, cards.length - 1)];
  const what = r.int(4);
  if (what === 0) {
    steps.push(`HDU ${h} card ${cardKeyword(bytes, at)} blanked`);
    bytes.fill(0x20, at, at + CARD);
  } else if (what === 1) {
    const from = r.pick(cards);
    steps.push(`HDU ${h} card ${cardKeyword(bytes, at)} replaced by a copy of ${cardKeyword(bytes, from)}`);
    bytes.copyWithin(at, from, from + CARD);
  } else if (what === 2) {
    // The END card removed: the header runs on into the data.
    const end = cards[cards.length - 1] + CARD;
    steps.push(`HDU ${h} END removed`);
    bytes.fill(0x20, end, Math.min(bytes.length, end + CARD));
  } else {
    const p = at + r.int(CARD);
    const v = r.pick([0x00, 0x27, 0x3d, 0x2f, 0x7f, 0xff, r.int(256)]);
    steps.push(`HDU ${h} byte ${p} of card ${cardKeyword(bytes, at)} = ${v}`);
    bytes[p] = v;
  }
  return true;
}

function byteFlip(r: Random, bytes: Uint8Array, steps: string[]): boolean {
  if (bytes.length === 0) return false;
  const n = r.range(1, 8);
  for (let k = 0; k < n; k++) {
    const p = r.int(bytes.length);
    const bit = 1 << r.int(8);
    bytes[p] ^= bit;
    steps.push(`byte ${p} ^= ${bit}`);
  }
  return true;
}

function truncateAt(r: Random, bytes: Uint8Array, spans: HduSpan[], steps: string[]): number {
  let at: number;
  const s = spans.length ? r.pick(spans) : undefined;
  const how = r.int(4);
  if (s && how === 0) at = s.dataOffset + r.int(Math.max(1, s.declaredData ?? 1));
  else if (s && how === 1) at = s.dataOffset + r.pick([-CARD, -1, 0, 1, BLOCK - 1]);
  else if (s && how === 2) at = s.headerOffset + r.int(Math.max(1, s.dataOffset - s.headerOffset));
  else at = r.int(bytes.length);
  at = Math.max(0, Math.min(bytes.length - 1, at));
  steps.push(`cut at byte ${at} of ${bytes.length}`);
  return at;
}

function dataFill(r: Random, bytes: Uint8Array, spans: HduSpan[], steps: string[]): boolean {
  const withData = spans.filter((s) => (s.declaredData ?? 0) > 0 && s.dataOffset < bytes.length);
  if (!withData.length) return false;
  const s = r.pick(withData);
  const size = Math.min(s.declaredData!, bytes.length - s.dataOffset);
  const from = s.dataOffset + r.int(size);
  const len = Math.min(r.pick([1, 4, 8, 16, 64, 512]), bytes.length - from);
  const fill = r.pick(['zeros', 'ones', 'random']);
  for (let p = from; p < from + len; p++) bytes[p] = fill === 'zeros' ? 0 : fill === 'ones' ? 0xff : r.int(256);
  steps.push(`${len} data bytes at ${from} set to ${fill}`);
  return true;
}

function vlaDescriptor(r: Random, bytes: Uint8Array, spans: HduSpan[], steps: string[]): boolean {
  const candidates = spans
    .map((s, h) => ({ s, h, cols: descriptorColumns(bytes, s) }))
    .filter((c) => c.cols.length && c.s.cards.some((at) => cardKeyword(bytes, at) === 'NAXIS2'));
  if (!candidates.length) return false;
  const { s, h, cols } = r.pick(candidates);
  const naxis1 = cardInt(bytes, s.cards.find((at) => cardKeyword(bytes, at) === 'NAXIS1')!) ?? 0;
  const naxis2 = cardInt(bytes, s.cards.find((at) => cardKeyword(bytes, at) === 'NAXIS2')!) ?? 0;
  if (naxis1 <= 0 || naxis2 <= 0) return false;
  const col = r.pick(cols);
  const row = r.int(naxis2);
  const at = s.dataOffset + row * naxis1 + col.offset + (r.chance(0.5) ? 0 : col.q ? 8 : 4);
  if (at + 8 > bytes.length) return false;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const value = r.pick([0xffffffff, 0x7fffffff, 0x80000000, 1 << 20, 2880, 1]);
  if (col.q) dv.setBigUint64(at, BigInt(value) * BigInt(r.pick([1, 1, 65536])));
  else dv.setUint32(at, value);
  steps.push(`HDU ${h} row ${row} descriptor at byte ${at} = ${value}`);
  return true;
}

/**
 * Mutant `index` of `seed`: a corpus file with one (or a few stacked) mutations of the kinds the
 * issue names: header edits of size and type keywords with hostile values, cards blanked or
 * duplicated, END removed, bit flips, truncations, data overwrites and VLA descriptors.
 */
export function mutant(seeds: readonly Seed[], r: Random): Mutant {
  const source = seeds[r.int(seeds.length)];
  const gz = source.bytes[0] === 0x1f && source.bytes[1] === 0x8b;
  // Gzip files are mutated inside (then re-compressed) half the time, their stream the other half.
  const inner = gz && r.chance(0.5);
  let bytes = inner ? new Uint8Array(gunzipSync(source.bytes)) : source.bytes.slice();
  const steps: string[] = inner ? ['inside the gzip stream:'] : [];
  const kinds: MutationKind[] = [
    'header-edit',
    'header-edit',
    'header-edit',
    'header-card',
    'byte-flip',
    'truncate',
    'data-fill',
    'vla-descriptor',
  ];
  const rounds = r.chance(0.15) ? r.range(2, 3) : 1;
  let kind: MutationKind = 'stacked';
  for (let k = 0; k < rounds; k++) {
    const spans = gz && !inner ? [] : hduSpans(bytes);
    let chosen = r.pick(kinds);
    let done = false;
    for (let tries = 0; tries < 4 && !done; tries++) {
      if (chosen === 'header-edit') done = spans.length > 0 && headerEdit(r, bytes, spans, steps);
      else if (chosen === 'header-card') done = spans.length > 0 && headerCard(r, bytes, spans, steps);
      else if (chosen === 'data-fill') done = dataFill(r, bytes, spans, steps);
      else if (chosen === 'vla-descriptor') done = vlaDescriptor(r, bytes, spans, steps);
      else if (chosen === 'truncate') {
        bytes = bytes.subarray(0, truncateAt(r, bytes, spans, steps));
        done = true;
      } else done = byteFlip(r, bytes, steps);
      if (!done) chosen = r.chance(0.5) ? 'byte-flip' : 'truncate';
    }
    kind = rounds === 1 ? chosen : 'stacked';
  }
  if (inner) bytes = new Uint8Array(gzipSync(bytes, { level: 1 }));
  return { seed: source.name, kind, steps, bytes };
}
