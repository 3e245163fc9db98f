import { type Camera, fiberBitmaskWithAmp } from '../datamodel.js';
import type { CameraData, Spectra } from './spectra.js';

/** Grids are aligned when they agree within this many Å (desispec coaddition.py, 0.56.5). */
const TOLERANCE = 1e-4;

/** The merged grid of desispec's coadd_cameras and where each camera starts in it. */
export function mergedGrid(cams: CameraData[]): { grid: Float64Array; start: Map<Camera, number>; ncam: Uint8Array } {
  const mean = (w: Float64Array) => w.reduce((a, b) => a + b, 0) / w.length;
  const sorted = [...cams].sort((a, b) => mean(a.wave) - mean(b.wave));
  const values: number[] = [];
  for (const c of sorted) {
    for (const w of c.wave) if (values.length === 0 || w > values[values.length - 1] + TOLERANCE) values.push(w);
  }
  const grid = Float64Array.from(values);
  const start = new Map<Camera, number>();
  const ncam = new Uint8Array(grid.length);
  for (const c of cams) {
    let imin = 0;
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < grid.length; i++) {
      const d = Math.abs(c.wave[0] - grid[i]);
      if (d < best) {
        best = d;
        imin = i;
      }
    }
    if (imin + c.wave.length > grid.length) throw new Error(`camera ${c.camera}: wavelength grid runs past the merged grid`);
    for (let k = 0; k < c.wave.length; k++) {
      if (Math.abs(c.wave[k] - grid[imin + k]) > TOLERANCE)
        throw new Error(`camera ${c.camera}: wavelength grids are not aligned (pixel ${k})`);
      ncam[imin + k]++;
    }
    start.set(c.camera, imin);
  }
  return { grid, start, ncam };
}

/**
 * desispec 0.56.5 `coadd_cameras` on coadded spectra (flux, ivar, mask; the resolution matrix is not
 * part of this product): one grid (7781 pixels for DESI), inverse-variance weights that drop masked
 * pixels, mask kept where one camera covers a pixel and 0 in overlaps, a camera skipped for a target
 * whose COADD_FIBERSTATUS excludes it. Arithmetic in float64, stored as float32: bit-identical to
 * desispec + write_spectra.
 */
export function mergeCameras(cams: CameraData[], count: number, fiberstatus: ArrayLike<number>): Spectra {
  const { grid, start, ncam } = mergedGrid(cams);
  const npix = grid.length;
  const W = new Float64Array(npix);
  const S = new Float64Array(npix);
  const M = new Int32Array(npix);
  const flux = new Float32Array(count * npix);
  const ivar = new Float32Array(count * npix);
  const mask = new Int32Array(count * npix);
  for (let t = 0; t < count; t++) {
    W.fill(0);
    S.fill(0);
    M.fill(0);
    for (const c of cams) {
      if ((fiberstatus[t] & fiberBitmaskWithAmp(c.camera)) !== 0) continue;
      const s0 = start.get(c.camera) as number;
      const n = c.wave.length;
      const row = t * n;
      for (let k = 0; k < n; k++) {
        const m = c.mask[row + k];
        const iv = m === 0 ? c.ivar[row + k] : 0;
        const g = s0 + k;
        W[g] += iv;
        S[g] += iv * c.flux[row + k];
        // One camera: its mask; overlaps: AND into a zero-initialised array, i.e. 0 (the 0.56.5 quirk).
        if (ncam[g] === 1) M[g] = m;
        else M[g] &= m;
      }
    }
    const o = t * npix;
    for (let g = 0; g < npix; g++) {
      const w = W[g];
      flux[o + g] = w > 0 ? S[g] / w : S[g];
      ivar[o + g] = w;
      mask[o + g] = M[g];
    }
  }
  return { wavelength: grid, flux, ivar, mask };
}
