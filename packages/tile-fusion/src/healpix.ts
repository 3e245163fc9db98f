/** HEALPix as desispec groups targets: NESTED, nside 64 (DR1.nside), exactly as healpy computes it. */
export { pixelCenter, radecToPixel } from '@desi/healpix';
