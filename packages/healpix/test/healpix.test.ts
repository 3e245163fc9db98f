/**
 * Against healpy (HEALPix C++), the implementation DESI's own tools call: the pixel of random and
 * edge positions at nsides 1, 64 and 1024, and pixel centres (test/fixtures/healpy.json, written by
 * make.py beside it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ang2pixNest, pix2angNest, pixelCenter, radecToPixel } from '../src/index.js';

const ref: { positions: Array<[number, number, number, number]>; centres: Array<[number, number, number, number]> } = JSON.parse(
  readFileSync(join(import.meta.dirname, 'fixtures', 'healpy.json'), 'utf8'),
);

describe('NESTED HEALPix against healpy', () => {
  it('radecToPixel gives healpy’s pixel at every position, edges included', () => {
    const wrong = ref.positions.filter(([nside, ra, dec, pix]) => radecToPixel(ra, dec, nside) !== pix);
    expect(wrong).toEqual([]);
    expect(ref.positions.length).toBeGreaterThan(2000);
  });

  it('pix2angNest gives healpy’s centres (to a few ulps), and each centre lies in its pixel', () => {
    for (const [nside, pix, theta, phi] of ref.centres) {
      const c = pix2angNest(nside, pix);
      expect(Math.abs(c.theta - theta), `${nside}/${pix} θ`).toBeLessThan(1e-13);
      expect(Math.abs(c.phi - phi), `${nside}/${pix} φ`).toBeLessThan(1e-13);
      expect(ang2pixNest(nside, c.theta, c.phi)).toBe(pix);
    }
    const c = pixelCenter(10016);
    expect(radecToPixel(c.ra, c.dec)).toBe(10016);
  });

  it('refuses an nside that is not a power of two and a pixel outside the sphere', () => {
    expect(() => radecToPixel(0, 0, 3)).toThrow(RangeError);
    expect(() => pix2angNest(64, 12 * 64 * 64)).toThrow(RangeError);
  });
});
