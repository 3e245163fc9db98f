import { FitsError } from '../errors.js';
import { intKeyword } from '../hdu/layout.js';
import { cardKeyword, parseCard } from '../header/card.js';
import { CardList } from '../header/card-list.js';
import { Header } from '../header/header.js';

/** Table keywords astropy treats as column definitions (TTYPEn … TRPOSn). */
const TABLE_KEYWORDS = new Set([
  'TTYPE',
  'TFORM',
  'TUNIT',
  'TNULL',
  'TSCAL',
  'TZERO',
  'TDISP',
  'TBCOL',
  'TDIM',
  'TCTYP',
  'TCUNI',
  'TCRPX',
  'TCRVL',
  'TCDLT',
  'TRPOS',
]);
const COMPRESSION_KEYWORDS = new Set([
  'ZSIMPLE',
  'ZTENSION',
  'ZBITPIX',
  'ZNAXIS',
  'ZEXTEND',
  'ZBLOCKED',
  'ZPCOUNT',
  'ZGCOUNT',
  'ZHECKSUM',
  'ZDATASUM',
  'ZIMAGE',
  'ZCMPTYPE',
  'ZMASKCMP',
  'ZQUANTIZ',
  'ZDITHER0',
]);
const INDEXED_COMPRESSION_KEYWORDS = new Set(['ZNAXIS', 'ZTILE', 'ZNAME', 'ZVAL']);

/**
 * Whether a keyword of the compressed table is left out of the image header, by astropy's rule
 * (`CompImageHeader._is_reserved_keyword`), including its matching quirk: the keyword's letters are
 * read greedily, so `ZDITHER0` is not recognised and stays in the image header.
 */
function reserved(keyword: string): boolean {
  if (keyword === 'TFIELDS') return true;
  const t = /^(T[A-Z]*)([1-9][0-9 ]*)$/.exec(keyword);
  if (t && TABLE_KEYWORDS.has(t[1])) return true;
  const z = /^([Zz][a-zA-Z]*)([1-9][0-9 ]*$)?/.exec(keyword);
  if (!z) return false;
  const label = z[1].toUpperCase();
  return z[2] !== undefined ? INDEXED_COMPRESSION_KEYWORDS.has(label) : COMPRESSION_KEYWORDS.has(label);
}

const DEFAULT_EXTNAME = /^EXTNAME = 'COMPRESSED_IMAGE\s*'/;

/** Dimensions of the compressed image in numpy order (ZNAXISn reversed). */
export function compressedShape(h: Header, hdu: number): number[] {
  const n = intKeyword(h, 'ZNAXIS', hdu);
  const dims: number[] = [];
  for (let i = 1; i <= n; i++) {
    const d = intKeyword(h, `ZNAXIS${i}`, hdu);
    if (d < 0) throw new FitsError('bad-keyword', `ZNAXIS${i} = ${d} is negative`, { hdu, keyword: `ZNAXIS${i}` });
    dims.push(d);
  }
  return dims.reverse();
}

/**
 * The image header a tile-compressed HDU stands for (FITS 4.0 §10.1), card for card as astropy shows
 * it (`CompImageHDU.header`): the table header with the table and compression keywords removed,
 * SIMPLE or XTENSION, BITPIX, NAXIS, NAXISn, PCOUNT/GCOUNT, EXTEND, BLOCKED, CHECKSUM and DATASUM
 * taken from their Z-prefixed cards and placed where astropy places them. Cards the table header has
 * of its own, CHECKSUM and DATASUM among them, keep their place and value (so, like astropy, an
 * image header without ZHECKSUM/ZDATASUM shows the sums of the compressed HDU as stored).
 */
export function compressedImageHeader(h: Header, hdu: number): Header {
  const zbitpix = intKeyword(h, 'ZBITPIX', hdu);
  if (![8, 16, 32, 64, -32, -64].includes(zbitpix)) {
    throw new FitsError('bad-keyword', `ZBITPIX = ${zbitpix} is not a valid BITPIX`, { hdu, keyword: 'ZBITPIX' });
  }
  const naxis = compressedShape(h, hdu).length;
  const table = new CardList(h.images);
  const cards = new CardList(h.images);
  // A default EXTNAME beside a real one (or repeated) is dropped first, as astropy does.
  const extnames = cards.keywords().filter((k) => k === 'EXTNAME').length;
  if (extnames > 1) {
    let kept = false;
    const allDefault = h.images.filter((i) => cardKeyword(i) === 'EXTNAME').every((i) => DEFAULT_EXTNAME.test(i));
    cards.filter((k, image) => {
      if (k !== 'EXTNAME' || !DEFAULT_EXTNAME.test(image)) return true;
      if (allDefault && !kept) return (kept = true);
      return false;
    });
  }
  for (const k of new Set(cards.keywords())) if (reserved(k)) cards.delete(k);

  const z = (key: string) => table.image(key);
  if (z('ZSIMPLE')) {
    cards.set('SIMPLE', { image: z('ZSIMPLE')! }, { before: 0 });
    cards.delete('XTENSION');
  } else if (z('ZTENSION')) {
    cards.set('XTENSION', { value: "'IMAGE   '", comment: parseCard(z('ZTENSION')!).comment }, { before: 0 });
  } else cards.set('XTENSION', { value: "'IMAGE   '" }, { before: 0 });
  cards.set('BITPIX', { image: z('ZBITPIX')! }, { before: 1 });
  cards.set('NAXIS', { image: z('ZNAXIS')! }, { before: 2 });
  let last = 'NAXIS';
  for (let i = 1; i <= naxis; i++) {
    cards.set(`NAXIS${i}`, { image: z(`ZNAXIS${i}`)! }, { after: last });
    last = `NAXIS${i}`;
  }
  cards.filter((k) => !(/^NAXIS\d+$/.test(k) && Number(k.slice(5)) > naxis));
  cards.set('PCOUNT', z('ZPCOUNT') ? { image: z('ZPCOUNT')! } : { value: '0' }, { after: last });
  cards.set('GCOUNT', z('ZGCOUNT') ? { image: z('ZGCOUNT')! } : { value: '1' }, { after: 'PCOUNT' });
  for (const [from, to] of [
    ['ZEXTEND', 'EXTEND'],
    ['ZBLOCKED', 'BLOCKED'],
    ['ZHECKSUM', 'CHECKSUM'],
    ['ZDATASUM', 'DATASUM'],
  ]) {
    if (z(from)) cards.set(to, { image: z(from)! });
  }
  const extname = cards.image('EXTNAME');
  if (extname && DEFAULT_EXTNAME.test(extname)) cards.delete('EXTNAME');
  if (cards.has('SIMPLE')) {
    cards.delete('PCOUNT');
    cards.delete('GCOUNT');
  }
  for (let n = table.trailingBlanks() - cards.trailingBlanks(); n > 0; n--) cards.appendBlank();
  return new Header(cards.images);
}
