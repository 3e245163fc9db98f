import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileName, type PixelId, PRODUCTS, parsePixelPath, pixelDir } from '../datamodel.js';
import type { PixelSources } from './sources.js';

/**
 * Local paths of a pixel's products in a mirror of the HEALPix tree: `dir` is either the pixel's own
 * directory (…/main/dark/100/10016) or the HEALPix root together with `pixel`. Products that do not
 * exist are left out (fusion reports them missing); `coadd` also accepts `.fits.gz`.
 *
 * @example
 * const src = localPixelSources('/data/dr1/spectro/redux/iron/healpix/main/dark/100/10016');
 */
export function localPixelSources(dir: string, pixel?: PixelId): { pixel: PixelId; sources: PixelSources } {
  const p = pixel ?? parsePixelPath(dir.replace(/\\/g, '/'));
  if (!p) throw new Error(`cannot tell the pixel from ${dir}; pass it explicitly`);
  const base = pixel ? join(dir, pixelDir(p)) : dir;
  const sources: PixelSources = {};
  for (const product of PRODUCTS) {
    const file = join(base, fileName(product, p));
    if (existsSync(file)) sources[product] = file;
    else if (product === 'coadd' && existsSync(`${file}.gz`)) sources[product] = `${file}.gz`;
  }
  return { pixel: p, sources };
}
