import type { FitsWarning } from '../errors.js';
import { FitsError } from '../errors.js';
import type { Card } from '../header/card.js';
import type { Header } from '../header/header.js';

/** What kind of HDU this is. */
export type HduKind = 'primary' | 'image' | 'bintable' | 'table' | 'compressed-image' | 'compressed-table' | 'random-groups' | 'unknown';

/** The structural facts of one HDU, checked against the FITS rules. */
export interface HduLayout {
  kind: HduKind;
  xtension?: string;
  bitpix: number;
  /** NAXISn in FITS order (fastest axis first). */
  naxes: number[];
  pcount: number;
  gcount: number;
  /** Exact data size in bytes, without padding. */
  dataSize: number;
}

const BITPIX = new Set([8, 16, 32, 64, -32, -64]);

/** An integer-valued structural keyword, or an error that names it. */
export function intKeyword(header: Header, keyword: string, hdu: number, fallback?: number): number {
  const card = header.raw(keyword);
  if (!card) {
    if (fallback !== undefined) return fallback;
    throw new FitsError('bad-keyword', `required keyword ${keyword} is missing`, { hdu, keyword });
  }
  return cardInt(card, hdu);
}

function cardInt(card: Card, hdu: number): number {
  if (card.type === 'commentary') {
    throw new FitsError('bad-keyword', `${card.keyword} has no value (the card has no "= " value indicator)`, {
      hdu,
      keyword: card.keyword,
    });
  }
  if (card.type !== 'int') {
    throw new FitsError('bad-keyword', `${card.keyword} must be an integer, found ${JSON.stringify(card.value)}`, {
      hdu,
      keyword: card.keyword,
    });
  }
  const v = card.value;
  if (typeof v === 'bigint') {
    throw new FitsError('too-large', `${card.keyword} = ${v} is beyond the largest size this reader can address`, {
      hdu,
      keyword: card.keyword,
    });
  }
  return v as number;
}

/** Work out kind and exact data size of an HDU from its header, rejecting impossible values. */
export function layoutOf(header: Header, hdu: number, warn: (w: FitsWarning) => void): HduLayout {
  const primary = hdu === 0;
  let xtension: string | undefined;
  if (primary) {
    const simple = header.raw('SIMPLE');
    if (simple?.value !== true) {
      warn({
        code: 'simple-not-true',
        hdu,
        keyword: 'SIMPLE',
        message: `HDU 0: SIMPLE is not T; the file may not conform to the FITS standard`,
      });
    }
  } else {
    const x = header.raw('XTENSION');
    xtension = typeof x?.value === 'string' ? x.value.trim() : String(x?.value ?? '');
  }
  const bitpix = intKeyword(header, 'BITPIX', hdu);
  if (!BITPIX.has(bitpix)) {
    throw new FitsError('bad-keyword', `BITPIX = ${bitpix} is not one of 8, 16, 32, 64, -32, -64`, { hdu, keyword: 'BITPIX' });
  }
  const naxis = intKeyword(header, 'NAXIS', hdu);
  if (naxis < 0 || naxis > 999) {
    throw new FitsError('bad-keyword', `NAXIS = ${naxis} is outside 0–999`, { hdu, keyword: 'NAXIS' });
  }
  const naxes: number[] = [];
  for (let i = 1; i <= naxis; i++) {
    const n = intKeyword(header, `NAXIS${i}`, hdu);
    if (n < 0) throw new FitsError('bad-keyword', `NAXIS${i} = ${n} is negative`, { hdu, keyword: `NAXIS${i}` });
    naxes.push(n);
  }
  const pcount = intKeyword(header, 'PCOUNT', hdu, 0);
  const gcount = intKeyword(header, 'GCOUNT', hdu, 1);
  if (pcount < 0) throw new FitsError('bad-keyword', `PCOUNT = ${pcount} is negative`, { hdu, keyword: 'PCOUNT' });
  if (gcount < 0) throw new FitsError('bad-keyword', `GCOUNT = ${gcount} is negative`, { hdu, keyword: 'GCOUNT' });

  // GROUPS decides how the data are sized, so an unreadable value is refused rather than guessed.
  const groupsCard = primary ? header.raw('GROUPS') : undefined;
  if (groupsCard && typeof groupsCard.value !== 'boolean') {
    throw new FitsError('bad-keyword', `GROUPS must be T or F (found ${JSON.stringify(groupsCard.value)})`, { hdu, keyword: 'GROUPS' });
  }
  const groups = primary && naxis > 0 && naxes[0] === 0 && groupsCard?.value === true;
  let kind: HduKind;
  if (primary) kind = groups ? 'random-groups' : 'primary';
  else if (xtension === 'IMAGE' || xtension === 'IUEIMAGE') kind = 'image';
  else if (xtension === 'TABLE') kind = 'table';
  else if (xtension === 'BINTABLE' || xtension === 'A3DTABLE') {
    if (header.raw('ZIMAGE')?.value === true) kind = 'compressed-image';
    else if (header.raw('ZTABLE')?.value === true) kind = 'compressed-table';
    else kind = 'bintable';
  } else kind = 'unknown';

  // Exact size in BigInt: 32-bit or float arithmetic would wrap or round on absurd headers.
  let elems = naxis === 0 ? 0n : 1n;
  for (let i = groups ? 1 : 0; i < naxes.length; i++) elems *= BigInt(naxes[i]);
  if (naxis === 0 && pcount === 0) elems = 0n;
  const bytes = (BigInt(Math.abs(bitpix)) / 8n) * BigInt(gcount) * (BigInt(pcount) + elems);
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new FitsError('too-large', `the data size the header declares (${bytes} bytes) is beyond 2^53`, {
      hdu,
      keyword: naxis > 0 ? `NAXIS${naxis}` : 'PCOUNT',
    });
  }
  return { kind, xtension, bitpix, naxes, pcount, gcount, dataSize: Number(bytes) };
}
