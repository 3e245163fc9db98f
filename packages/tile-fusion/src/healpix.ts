import { ang2pix_nest, pix2ang_nest } from '@hscmap/healpix';
import { DR1 } from './datamodel.js';

const DEG = Math.PI / 180;

/** The nside-64 NESTED HEALPix pixel of a position (degrees), as desispec groups targets. */
export function radecToPixel(ra: number, dec: number, nside: number = DR1.nside): number {
  return ang2pix_nest(nside, (90 - dec) * DEG, ra * DEG);
}

/** The centre of a pixel (degrees). */
export function pixelCenter(pixel: number, nside: number = DR1.nside): { ra: number; dec: number } {
  const { theta, phi } = pix2ang_nest(nside, pixel);
  return { ra: phi / DEG, dec: 90 - theta / DEG };
}
