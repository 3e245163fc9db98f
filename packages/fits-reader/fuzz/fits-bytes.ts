/**
 * Byte-level FITS structure for the mutator, written apart from the reader on purpose: mutants must be
 * made (and judged) without trusting the code under test, and must still be makeable from files the
 * reader would refuse. Only what the standard fixes is assumed: 2880-byte blocks of 80-byte cards,
 * an END card, and data sized by BITPIX, NAXISn, PCOUNT and GCOUNT.
 */

export const BLOCK = 2880;
export const CARD = 80;

/** Where one HDU's header cards and declared data lie. */
export interface HduSpan {
  headerOffset: number;
  /** Byte offsets of the cards before END. */
  cards: number[];
  dataOffset: number;
  /** Data bytes the header declares (without padding); undefined when a size keyword is unreadable. */
  declaredData?: number;
}

const latin1 = new TextDecoder('latin1');

export function cardKeyword(bytes: Uint8Array, at: number): string {
  return latin1.decode(bytes.subarray(at, at + 8)).trimEnd();
}

/** The integer value of a fixed-format card, or undefined when it is not one. */
export function cardInt(bytes: Uint8Array, at: number): number | undefined {
  const text = latin1.decode(bytes.subarray(at + 10, at + CARD));
  const m = /^\s*([+-]?\d+)\s*(\/.*)?$/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** The HDUs as far as their headers can be followed (a broken header ends the walk). */
export function hduSpans(bytes: Uint8Array): HduSpan[] {
  const spans: HduSpan[] = [];
  let offset = 0;
  while (offset + BLOCK <= bytes.length && spans.length < 10_000) {
    const first = latin1.decode(bytes.subarray(offset, offset + 8));
    if (!(spans.length === 0 ? first.startsWith('SIMPLE') : first.startsWith('XTENSION'))) break;
    const cards: number[] = [];
    let end = -1;
    for (let p = offset; p + CARD <= bytes.length; p += CARD) {
      if (cardKeyword(bytes, p) === 'END' && latin1.decode(bytes.subarray(p, p + 8)) === 'END     ') {
        end = p;
        break;
      }
      cards.push(p);
    }
    if (end < 0) break;
    const dataOffset = offset + Math.ceil((end + CARD - offset) / BLOCK) * BLOCK;
    const span: HduSpan = { headerOffset: offset, cards, dataOffset, declaredData: declaredDataSize(bytes, cards) };
    spans.push(span);
    if (span.declaredData === undefined) break;
    offset = dataOffset + Math.ceil(span.declaredData / BLOCK) * BLOCK;
  }
  return spans;
}

/** FITS 4.0 §4.4.1.1 / §7.1: |BITPIX|/8 × GCOUNT × (PCOUNT + NAXIS1 × … × NAXISn), NAXIS1 = 0 for random groups. */
export function declaredDataSize(bytes: Uint8Array, cards: number[]): number | undefined {
  const value = new Map<string, number | undefined>();
  let groups = false;
  for (const at of cards) {
    const k = cardKeyword(bytes, at);
    if (!value.has(k)) value.set(k, cardInt(bytes, at));
    if (k === 'GROUPS' && /^\s*T\b/.test(latin1.decode(bytes.subarray(at + 10, at + 30)))) groups = true;
  }
  const bitpix = value.get('BITPIX');
  const naxis = value.get('NAXIS');
  if (bitpix === undefined || naxis === undefined || naxis < 0 || naxis > 999) return undefined;
  let product = naxis === 0 ? 0 : 1;
  for (let n = 1; n <= naxis; n++) {
    const v = value.get(`NAXIS${n}`);
    if (v === undefined || v < 0) return undefined;
    if (!(groups && n === 1)) product *= v;
  }
  const pcount = value.get('PCOUNT') ?? 0;
  const gcount = value.get('GCOUNT') ?? 1;
  if (naxis === 0 && pcount === 0) return 0;
  return (Math.abs(bitpix) / 8) * gcount * (pcount + product);
}

/** Byte offset of the first card of `keyword` in an HDU, or undefined. */
export function findCard(bytes: Uint8Array, span: HduSpan, keyword: string): number | undefined {
  return span.cards.find((at) => cardKeyword(bytes, at) === keyword);
}

/** Write `KEYWORD = value` (value right-justified to column 30 when short, as fixed format wants) at `at`. */
export function writeCard(bytes: Uint8Array, at: number, keyword: string, value: string): void {
  const card = `${keyword.padEnd(8)}= ${value.length <= 20 ? value.padStart(20) : value}`.slice(0, CARD).padEnd(CARD);
  for (let i = 0; i < CARD; i++) bytes[at + i] = card.charCodeAt(i) & 0xff;
}

/** A copy of `bytes` with the card `keyword` of HDU `hdu` set to `value`; undefined when absent. */
export function withCard(bytes: Uint8Array, hdu: number, keyword: string, value: string): Uint8Array | undefined {
  const span = hduSpans(bytes)[hdu];
  const at = span && findCard(bytes, span, keyword);
  if (at === undefined) return undefined;
  const out = bytes.slice();
  writeCard(out, at, keyword, value);
  return out;
}
