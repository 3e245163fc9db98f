/**
 * Writes the bundled sample: a small DESI-coadd-shaped file (FIBERMAP table plus B/R/Z wavelength,
 * flux, ivar and mask HDUs) made with this package's own writer. Deterministic: rerunning it gives
 * the same bytes.
 *
 *   pnpm --filter @desi/fits-reader exec tsx scripts/make-sample.ts test/fixtures/sample/desi-like-coadd.fits
 */

import type { HduInput } from '../src/writer.js';
import { writeFitsFile } from '../src/writer.js';

const out = process.argv[2] ?? 'desi-like-coadd.fits';
const n = 6;
let s = 12345;
const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
const cameras: Array<[string, number, number]> = [
  ['B', 3600, 5800],
  ['R', 5760, 7620],
  ['Z', 7520, 9824],
];
const hdus: HduInput[] = [
  {
    type: 'image',
    data: new Uint8Array(0),
    shape: [0],
    cards: [
      { keyword: 'SPECPROD', value: 'iron' },
      { keyword: 'HPXPIXEL', value: 10016 },
    ],
  },
];
hdus.push({
  type: 'table',
  name: 'FIBERMAP',
  numRows: n,
  columns: [
    { name: 'TARGETID', data: BigInt64Array.from({ length: n }, (_, i) => 39627788448434509n + BigInt(i * 97)) },
    { name: 'TARGET_RA', data: Float64Array.from({ length: n }, () => 150 + rnd()) },
    { name: 'TARGET_DEC', data: Float64Array.from({ length: n }, () => 2 + rnd()) },
    { name: 'COADD_FIBERSTATUS', data: Uint32Array.from({ length: n }, (_, i) => (i === 3 ? 8 : 0)) },
    { name: 'OBJTYPE', data: Array.from({ length: n }, (_, i) => (i % 5 ? 'TGT' : 'SKY')), width: 3 },
  ],
});
for (const [cam, lo, hi] of cameras) {
  const npix = Math.round((hi - lo) / 0.8) + 1;
  const wave = Float64Array.from({ length: npix }, (_, i) => lo + 0.8 * i);
  hdus.push({ type: 'image', name: `${cam}_WAVELENGTH`, data: wave, shape: [npix], cards: [{ keyword: 'BUNIT', value: 'Angstrom' }] });
  hdus.push({ type: 'image', name: `${cam}_FLUX`, data: Float32Array.from({ length: n * npix }, () => 1 + rnd()), shape: [n, npix] });
  hdus.push({ type: 'image', name: `${cam}_IVAR`, data: Float32Array.from({ length: n * npix }, () => 4 + rnd()), shape: [n, npix] });
  hdus.push({
    type: 'image',
    name: `${cam}_MASK`,
    data: Uint32Array.from({ length: n * npix }, () => (rnd() < 0.01 ? 1 : 0)),
    shape: [n, npix],
  });
}
await writeFitsFile(out, hdus);
console.log(`wrote ${out}`);
