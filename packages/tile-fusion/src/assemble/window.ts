import type { Spectra } from './spectra.js';

/** Only the pixels with range[0] ≤ λ ≤ range[1], for every spectrum. */
export function windowed(s: Spectra, range: [number, number], count: number): Spectra {
  const keep: number[] = [];
  for (const [i, w] of s.wavelength.entries()) if (w >= range[0] && w <= range[1]) keep.push(i);
  const n = s.wavelength.length;
  const m = keep.length;
  const out: Spectra = {
    wavelength: Float64Array.from(keep, (i) => s.wavelength[i]),
    flux: new Float32Array(count * m),
    ivar: new Float32Array(count * m),
    mask: new Int32Array(count * m),
  };
  for (let t = 0; t < count; t++) {
    for (let k = 0; k < m; k++) {
      out.flux[t * m + k] = s.flux[t * n + keep[k]];
      out.ivar[t * m + k] = s.ivar[t * n + keep[k]];
      out.mask[t * m + k] = s.mask[t * n + keep[k]];
    }
  }
  return out;
}
