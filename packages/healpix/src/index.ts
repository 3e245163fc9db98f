import { ang2pixNest, pix2angNest } from './nest.js';

export { ang2pixNest, pix2angNest } from './nest.js';

const DEG = Math.PI / 180;

/**
 * The NESTED HEALPix pixel of a sky position in degrees (nside 64 by default, DESI's grouping), as
 * `healpy.ang2pix(nside, radians(90 − dec), radians(ra), nest=True)` gives it, as desimodel does.
 *
 * @example
 * radecToPixel(150.1, 2.2); // 27258
 */
export function radecToPixel(ra: number, dec: number, nside = 64): number {
  return ang2pixNest(nside, (90 - dec) * DEG, ra * DEG);
}

/**
 * The centre of a NESTED pixel in degrees.
 *
 * @example
 * pixelCenter(10016); // { ra: …, dec: … }
 */
export function pixelCenter(pixel: number, nside = 64): { ra: number; dec: number } {
  const { theta, phi } = pix2angNest(nside, pixel);
  return { ra: phi / DEG, dec: 90 - theta / DEG };
}
