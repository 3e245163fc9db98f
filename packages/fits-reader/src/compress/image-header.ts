import { FitsError } from '../errors.js';
import { intKeyword } from '../hdu/layout.js';
import { Header } from '../header/header.js';

const DROP =
  /^(XTENSION|BITPIX|NAXIS\d*|PCOUNT|GCOUNT|TFIELDS|TTYPE\d+|TFORM\d+|TUNIT\d+|TDIM\d+|TSCAL\d+|TZERO\d+|TNULL\d+|TDISP\d+|THEAP|ZIMAGE|ZTENSION|ZSIMPLE|ZEXTEND|ZBLOCKED|ZBITPIX|ZNAXIS\d*|ZPCOUNT|ZGCOUNT|ZTILE\d+|ZCMPTYPE|ZNAME\d+|ZVAL\d+|ZQUANTIZ|ZMASKCMP|CHECKSUM|DATASUM|ZHECKSUM|ZDATASUM)$/;

function card(key: string, value: string): string {
  return `${key.padEnd(8)}= ${value.padStart(20)}`.padEnd(80);
}

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
 * The image header a tile-compressed HDU stands for (FITS 4.0 §10.1): Z-prefixed structural keywords
 * become the image's own, the table and compression keywords are dropped, ZHECKSUM/ZDATASUM become
 * CHECKSUM/DATASUM.
 */
export function compressedImageHeader(h: Header, hdu: number): Header {
  const zbitpix = intKeyword(h, 'ZBITPIX', hdu);
  if (![8, 16, 32, 64, -32, -64].includes(zbitpix)) {
    throw new FitsError('bad-keyword', `ZBITPIX = ${zbitpix} is not a valid BITPIX`, { hdu, keyword: 'ZBITPIX' });
  }
  const dims = compressedShape(h, hdu).reverse();
  const primary = h.get('ZSIMPLE') !== undefined;
  const images: string[] = [];
  images.push(primary ? card('SIMPLE', 'T') : `${"XTENSION= 'IMAGE   '".padEnd(80)}`);
  images.push(card('BITPIX', String(zbitpix)));
  images.push(card('NAXIS', String(dims.length)));
  for (const [i, d] of dims.entries()) images.push(card(`NAXIS${i + 1}`, String(d)));
  if (!primary) {
    images.push(card('PCOUNT', String(intKeyword(h, 'ZPCOUNT', hdu, 0))));
    images.push(card('GCOUNT', String(intKeyword(h, 'ZGCOUNT', hdu, 1))));
  } else if (h.get('ZEXTEND') !== undefined) {
    images.push(card('EXTEND', h.get('ZEXTEND') ? 'T' : 'F'));
  }
  for (const img of h.images) {
    const key = img.slice(0, 8).trimEnd();
    if (DROP.test(key)) continue;
    if (key === 'EXTNAME' && /'COMPRESSED_IMAGE\s*'/.test(img)) continue;
    images.push(img);
  }
  const zh = h.images.find((i) => i.startsWith('ZHECKSUM'));
  const zd = h.images.find((i) => i.startsWith('ZDATASUM'));
  if (zh) images.push(`CHECKSUM${zh.slice(8)}`);
  if (zd) images.push(`DATASUM ${zd.slice(8)}`);
  return new Header(images);
}
