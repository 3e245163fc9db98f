import type { Camera } from '../datamodel.js';

/** Where one camera's arrays lie in a coadd file, so a target's rows are read with no header walk. */
export interface CameraLayout {
  /** Pixels per spectrum (the wavelength grid's length). */
  npix: number;
  /** Byte offsets of the data units: WAVELENGTH (float64), FLUX and IVAR (float32), MASK (int32). */
  waveOffset: number;
  fluxOffset: number;
  ivarOffset: number;
  maskOffset: number;
  /** MASK's BZERO: 0 (int32) or 2^31 (uint32 stored as int32). */
  maskBzero: number;
}

/**
 * One row of a target index: a DESI target's place in the archive (which coadd, which row, where its
 * camera arrays start) and the redrock answers a query filters on. Paths are relative to the archive's
 * HEALPix root, so one index serves every mirror of it.
 */
export interface TargetIndexRow {
  targetId: bigint;
  survey: string;
  program: string;
  healpix: number;
  /** Row of the target in the coadd's FIBERMAP and camera arrays. */
  row: number;
  /** Rows of the coadd's camera arrays. */
  nspec: number;
  ra: number;
  dec: number;
  z: number;
  zerr: number;
  zwarn: bigint;
  spectype: string;
  subtype: string;
  deltachi2: number;
  chi2: number;
  /** COADD_FIBERSTATUS of the coadd's FIBERMAP row (brz merging needs it). */
  fiberstatus: number;
  /** The coadd's path below the HEALPix root, its ETag (when remote) and size. */
  coadd: string;
  coaddEtag?: string;
  coaddSize: number;
  /** The emline file's path below the root, when the pixel has one, and its ETag and size when known. */
  emline?: string;
  emlineEtag?: string;
  emlineSize?: number;
  cameras: Record<Camera, CameraLayout>;
}
