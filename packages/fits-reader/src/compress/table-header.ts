import { FitsError } from '../errors.js';
import { intKeyword } from '../hdu/layout.js';
import { cardKeyword } from '../header/card.js';
import { CardList } from '../header/card-list.js';
import { Header } from '../header/header.js';

const DROP = /^(NAXIS1|NAXIS2|PCOUNT|TFORM\d+|ZTABLE|ZTILELEN|ZNAXIS1|ZNAXIS2|ZPCOUNT|ZFORM\d+|ZCTYP\d+|ZTHEAP|ZHECKSUM|ZDATASUM|THEAP)$/;

function card(key: string, value: string, comment: string): string {
  return `${key.padEnd(8)}= ${value.padStart(20)} / ${comment}`.padEnd(80);
}

function quoted(s: string): string {
  return `'${s.replace(/'/g, "''").padEnd(8)}'`;
}

/**
 * The table header a tile-compressed table stands for (FITS 4.0 §10.3): NAXIS1/NAXIS2/PCOUNT from
 * ZNAXIS1/ZNAXIS2/ZPCOUNT, TFORMn from ZFORMn, THEAP from ZTHEAP; the compression keywords are
 * dropped and every other card keeps its place, CHECKSUM and DATASUM included (their values are
 * ZHECKSUM/ZDATASUM's when those are present).
 */
export function compressedTableHeader(h: Header, hdu: number): Header {
  const images: string[] = [];
  const zform = (n: number) => {
    const v = h.get(`ZFORM${n}`);
    if (typeof v !== 'string')
      throw new FitsError('bad-keyword', `ZFORM${n} is missing in a compressed table`, { hdu, keyword: `ZFORM${n}` });
    return v;
  };
  for (const img of h.images) {
    const key = img.slice(0, 8).trimEnd();
    // The comments are the ones funpack (CFITSIO) writes on the restored table.
    if (key === 'NAXIS1') images.push(card('NAXIS1', String(intKeyword(h, 'ZNAXIS1', hdu)), 'length of dimension 1'));
    else if (key === 'NAXIS2') images.push(card('NAXIS2', String(intKeyword(h, 'ZNAXIS2', hdu)), 'length of dimension 2'));
    else if (key === 'PCOUNT') images.push(card('PCOUNT', String(intKeyword(h, 'ZPCOUNT', hdu, 0)), 'number of group parameters'));
    else if (/^TFORM\d+$/.test(key)) images.push(`${key.padEnd(8)}= ${quoted(zform(Number(key.slice(5))))}`.padEnd(80));
    else if (key === 'ZTHEAP') images.push(`THEAP   ${img.slice(8)}`);
    else if (!DROP.test(key)) images.push(img);
  }
  // CHECKSUM/DATASUM stay where they are, with the stored HDU's values, as astropy shows them;
  // the original table's sums (ZHECKSUM/ZDATASUM), when kept, take their place as funpack restores them.
  const cards = new CardList(images);
  for (const [from, to] of [
    ['ZHECKSUM', 'CHECKSUM'],
    ['ZDATASUM', 'DATASUM'],
  ]) {
    const z = h.images.find((i) => cardKeyword(i) === from);
    if (z) cards.set(to, { image: z });
  }
  return new Header(cards.images);
}
