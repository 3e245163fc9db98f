import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openFits } from '../src/index.js';

const FIX = join(import.meta.dirname, 'fixtures');

describe('HCOMPRESS_1 smoothing', () => {
  // fp_hcomp_i32_lossy.fits.fz with ZVAL2 (SMOOTH) set to 1; astropy and fitsio agree on the values.
  it('decodes a smoothed tile exactly as CFITSIO does', async () => {
    const ref = JSON.parse(readFileSync(join(FIX, 'hcompress-smooth', 'hcomp_i32_smooth.json'), 'utf8'));
    const fits = await openFits(join(FIX, 'hcompress-smooth', 'hcomp_i32_smooth.fits.fz'));
    const im = await fits.readImage(1);
    expect(im.shape).toEqual(ref.shape);
    expect(Array.from(im.data as Int32Array)).toEqual(ref.values);
  });
});
