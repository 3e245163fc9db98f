import { WAVE_MAX, WAVE_MIN } from '../datamodel.js';
import { mergeCameras } from './brz.js';
import { type CameraData, concatCameras, type Spectra } from './spectra.js';
import { windowed } from './window.js';

/**
 * The cameras on one grid, as the product defines it: `concat` (B, R, Z in order, cut to 3600–9800 Å
 * by default) or `brz` (merged where they overlap, using each target's COADD_FIBERSTATUS), windowed
 * to `range` when given (`null`: no window).
 */
export function assembleCameras(
  cams: CameraData[],
  count: number,
  camera: 'concat' | 'brz',
  fiberstatus: () => number[],
  wavelengthRange: [number, number] | null | undefined,
): Spectra {
  const range = wavelengthRange === null ? undefined : (wavelengthRange ?? (camera === 'concat' ? [WAVE_MIN, WAVE_MAX] : undefined));
  if (camera !== 'brz') return concatCameras(cams, count, range);
  const merged = mergeCameras(cams, count, fiberstatus());
  return range ? windowed(merged, range, count) : merged;
}
