import type { Camera } from '../datamodel.js';

/** One camera's rows for the selected targets, as read from the coadd. */
export interface CameraData {
  camera: Camera;
  /** Stored float64 wavelengths (never recomputed: the stored values carry numpy's arange rounding). */
  wave: Float64Array;
  /** count × npix, row after row. */
  flux: Float32Array;
  ivar: Float32Array;
  mask: Int32Array;
}

/** Assembled spectra of the selected targets on one wavelength grid. */
export interface Spectra {
  wavelength: Float64Array;
  /** count × wavelength.length, row after row. */
  flux: Float32Array;
  ivar: Float32Array;
  mask: Int32Array;
}

function windowOf(wave: Float64Array, range: [number, number] | undefined): number[] {
  const keep: number[] = [];
  for (let i = 0; i < wave.length; i++) if (!range || (wave[i] >= range[0] && wave[i] <= range[1])) keep.push(i);
  return keep;
}

/**
 * The established product: B, R, Z concatenated in that order, then the pixels whose stored float64
 * wavelength lies in `range` (3600–9800 Å keeps 7927). The camera overlaps appear twice, so the
 * wavelength is not monotonic at the joins.
 */
export function concatCameras(cams: CameraData[], count: number, range: [number, number] | undefined): Spectra {
  const keeps = cams.map((c) => windowOf(c.wave, range));
  const npix = keeps.reduce((a, k) => a + k.length, 0);
  const wavelength = new Float64Array(npix);
  const flux = new Float32Array(count * npix);
  const ivar = new Float32Array(count * npix);
  const mask = new Int32Array(count * npix);
  let base = 0;
  cams.forEach((c, ci) => {
    const keep = keeps[ci];
    const n = c.wave.length;
    for (let k = 0; k < keep.length; k++) wavelength[base + k] = c.wave[keep[k]];
    const contiguous = keep.length > 0 && keep[keep.length - 1] - keep[0] === keep.length - 1;
    for (let t = 0; t < count; t++) {
      const src = t * n;
      const dst = t * npix + base;
      if (contiguous) {
        const a = src + keep[0];
        flux.set(c.flux.subarray(a, a + keep.length), dst);
        ivar.set(c.ivar.subarray(a, a + keep.length), dst);
        mask.set(c.mask.subarray(a, a + keep.length), dst);
      } else {
        for (let k = 0; k < keep.length; k++) {
          flux[dst + k] = c.flux[src + keep[k]];
          ivar[dst + k] = c.ivar[src + keep[k]];
          mask[dst + k] = c.mask[src + keep[k]];
        }
      }
    }
    base += keep.length;
  });
  return { wavelength, flux, ivar, mask };
}
