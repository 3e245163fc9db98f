/** The NESTED nside-64 pixel a row's position must fall in (validation), exactly as healpy computes it. */
export { radecToPixel } from '@desi/healpix';
