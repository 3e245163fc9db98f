import { ang2pix_nest } from '@hscmap/healpix';

const DEG = Math.PI / 180;

/** nside-64 (by default) NESTED HEALPix pixel of a position in degrees. */
export function radecToPixel(ra: number, dec: number, nside = 64): number {
  return ang2pix_nest(nside, (90 - dec) * DEG, ra * DEG);
}
