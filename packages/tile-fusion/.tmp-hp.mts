import { readFileSync } from 'node:fs';
import { radecToPixel } from '/work/main/packages/tile-fusion/src/healpix.ts';

const ref = JSON.parse(readFileSync('/work/main/packages/tile-fusion/test/fixtures/healpix/astropy-healpix.json', 'utf8'));
for (const [ra, dec, pix] of ref.positions) {
  const o = radecToPixel(ra, dec);
  if (o !== pix) console.log(ra, dec, pix, o);
}
