/** A header value: strings unquoted, integers beyond 2^53 as bigint, complex as `[re, im]`. */
export type CardValue = string | number | bigint | boolean | [number, number] | null;

/** How a card's value was read. `unparsed` keeps the value text that fits no FITS grammar. */
export type CardType = 'str' | 'int' | 'float' | 'bool' | 'complex' | 'undefined' | 'commentary' | 'unparsed';

/** One logical header card (a CONTINUE chain is one card). */
export interface Card {
  keyword: string;
  value: CardValue;
  comment: string;
  type: CardType;
}

/** A problem found while parsing a card; the caller turns it into a warning. */
export interface CardIssue {
  keyword: string;
  message: string;
}

const INT_RE = /^[+-]?\d+$/;
const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[EeDd][+-]?\d+)?$/;
const COMPLEX_RE = /^\(\s*([^,()]+?)\s*,\s*([^,()]+?)\s*\)$/;

/** Parse a FITS integer or real literal, or return undefined. */
export function parseNumber(text: string): { value: number | bigint; type: 'int' | 'float' } | undefined {
  if (INT_RE.test(text)) {
    const n = Number(text);
    if (Number.isSafeInteger(n)) return { value: n, type: 'int' };
    return { value: BigInt(text), type: 'int' };
  }
  if (FLOAT_RE.test(text)) return { value: Number(text.replace(/[Dd]/, 'E')), type: 'float' };
  return undefined;
}

function parseComplexPart(text: string): number | undefined {
  const p = parseNumber(text);
  return p === undefined ? undefined : Number(p.value);
}

/** Result of reading a quoted string starting at `start` (the opening quote). */
interface QuotedString {
  text: string;
  end: number;
  closed: boolean;
}

function readQuoted(s: string, start: number): QuotedString {
  let out = '';
  let i = start + 1;
  while (i < s.length) {
    const q = s.indexOf("'", i);
    if (q < 0) break;
    out += s.slice(i, q);
    if (s[q + 1] === "'") {
      out += "'";
      i = q + 2;
      continue;
    }
    return { text: out, end: q + 1, closed: true };
  }
  return { text: out + s.slice(i), end: s.length, closed: false };
}

/** The comment after the value: text after the first `/`, trimmed. */
function commentAfter(s: string, from: number): { comment: string; junk: string } {
  const slash = s.indexOf('/', from);
  if (slash < 0) return { comment: '', junk: s.slice(from).trim() };
  return { comment: s.slice(slash + 1).trim(), junk: s.slice(from, slash).trim() };
}

/** Parsed value field of a card (the text after `= `, or after `CONTINUE`). */
export interface ParsedValue {
  value: CardValue;
  type: CardType;
  comment: string;
  /** For strings: the raw piece before trailing blanks are removed (used by CONTINUE). */
  rawString?: string;
  issue?: string;
}

/** Parse a value field: a quoted string, logical, integer, real, complex, or nothing. */
export function parseValueField(field: string): ParsedValue {
  let i = 0;
  while (i < field.length && field[i] === ' ') i++;
  if (field[i] === "'") {
    const q = readQuoted(field, i);
    const { comment, junk } = commentAfter(field, q.end);
    const issue = !q.closed
      ? 'string value has no closing quote'
      : junk
        ? `unexpected text after the string value: ${JSON.stringify(junk)}`
        : undefined;
    return { value: q.text.replace(/ +$/, ''), type: 'str', comment, rawString: q.text, issue };
  }
  const { comment, junk: text } = commentAfter(field, i);
  if (text === '') return { value: null, type: 'undefined', comment };
  if (text === 'T' || text === 'F') return { value: text === 'T', type: 'bool', comment };
  const num = parseNumber(text);
  if (num) return { value: num.value, type: num.type, comment };
  const cx = COMPLEX_RE.exec(text);
  if (cx) {
    const re = parseComplexPart(cx[1]);
    const im = parseComplexPart(cx[2]);
    if (re !== undefined && im !== undefined) return { value: [re, im], type: 'complex', comment };
  }
  return { value: text, type: 'unparsed', comment, issue: `value ${JSON.stringify(text)} is not a valid FITS value` };
}

/** Columns 1–8 of a card with trailing blanks removed. */
export function cardKeyword(card: string): string {
  return card.slice(0, 8).replace(/ +$/, '');
}

/**
 * Split a HIERARCH card into its long keyword and value field, or return undefined when it has no
 * `=` (then it is commentary).
 */
function splitHierarch(card: string): { keyword: string; field: string } | undefined {
  const eq = card.indexOf('=', 8);
  if (eq < 0) return undefined;
  const name = card.slice(8, eq).trim();
  return { keyword: name ? `HIERARCH ${name}` : 'HIERARCH', field: card.slice(eq + 1) };
}

/** A card before CONTINUE chains are joined. */
export interface RawCard extends ParsedValue {
  keyword: string;
  /** True for a `CONTINUE` card carrying a string piece. */
  continuation: boolean;
}

/** Parse one 80-character card image. */
export function parseCard(card: string): RawCard {
  const keyword = cardKeyword(card);
  if (keyword === 'CONTINUE') {
    const field = card.slice(8);
    if (/^\s*'/.test(field)) return { ...parseValueField(field), keyword, continuation: true };
    return commentary(keyword, card);
  }
  if (keyword === 'HIERARCH') {
    const h = splitHierarch(card);
    if (h) return { ...parseValueField(h.field), keyword: h.keyword, continuation: false };
    return commentary(keyword, card);
  }
  if (keyword === 'COMMENT' || keyword === 'HISTORY' || keyword === '' || card.slice(8, 10) !== '= ') {
    return commentary(keyword, card);
  }
  return { ...parseValueField(card.slice(10)), keyword, continuation: false };
}

function commentary(keyword: string, card: string): RawCard {
  return { keyword, value: card.slice(8).replace(/ +$/, ''), type: 'commentary', comment: '', continuation: false };
}

/**
 * Turn card images into logical cards: a string ending in `&` followed by `CONTINUE` string cards
 * becomes one card (FITS 4.0 §4.2.1.2); the pieces' comments are joined with one space.
 */
export function parseCards(images: readonly string[], onIssue?: (issue: CardIssue) => void): Card[] {
  const out: Card[] = [];
  for (let i = 0; i < images.length; i++) {
    const raw = parseCard(images[i]);
    if (raw.issue && onIssue) onIssue({ keyword: raw.keyword, message: raw.issue });
    if (raw.continuation) {
      // An orphan CONTINUE (no open long string before it) is kept as commentary.
      out.push({ keyword: raw.keyword, value: images[i].slice(8).replace(/ +$/, ''), comment: '', type: 'commentary' });
      continue;
    }
    if (raw.type === 'str' && raw.rawString !== undefined && endsWithAmp(raw.rawString) && isContinuation(images[i + 1])) {
      let text = '';
      const comments: string[] = raw.comment ? [raw.comment] : [];
      let piece = raw.rawString;
      let j = i;
      while (endsWithAmp(piece) && isContinuation(images[j + 1])) {
        text += piece.replace(/ *$/, '').slice(0, -1);
        j++;
        const next = parseCard(images[j]);
        if (next.comment) comments.push(next.comment);
        piece = next.rawString ?? '';
      }
      text += piece;
      out.push({ keyword: raw.keyword, value: text.replace(/ +$/, ''), comment: comments.join(' '), type: 'str' });
      i = j;
      continue;
    }
    out.push({ keyword: raw.keyword, value: raw.value, comment: raw.comment, type: raw.type });
  }
  return out;
}

function endsWithAmp(s: string): boolean {
  return /& *$/.test(s);
}

function isContinuation(image: string | undefined): boolean {
  return image !== undefined && cardKeyword(image) === 'CONTINUE' && /^\s*'/.test(image.slice(8));
}
