/**
 * What the writer takes: one pixel's selected spectra as plain typed arrays. This mirrors the output
 * of `@desi/tile-fusion` without importing it, so any producer with the same shape can write Parquet.
 */
export interface SpectraBatch {
  pixel: { survey: string; program: string; healpix: number };
  specprod: string;
  /** `concat` (B+R+Z, overlaps twice) or `brz` (merged cameras). */
  camera: 'concat' | 'brz';
  /** How spectra values were stored upstream (recorded in the metadata). */
  precision: { mode: string; [k: string]: unknown };
  count: number;
  targetId: BigInt64Array;
  ra: Float64Array;
  dec: Float64Array;
  z: Float64Array;
  zerr?: Float64Array;
  zwarn?: BigInt64Array;
  spectype?: string[];
  subtype?: string[];
  deltachi2?: Float64Array;
  rrChi2?: Float64Array;
  /** Lower-case emission-line columns (NaN where not measured); absent when there was no emline file. */
  emline?: Record<string, Float64Array>;
  /** The shared wavelength grid. */
  wavelength: Float64Array;
  /** count × wavelength.length. */
  flux: Float32Array | Float64Array;
  ivar: Float32Array | Float64Array;
  mask: Int32Array;
  /** Source files (names and sizes) for provenance. */
  io?: Partial<Record<string, { name: string; size: number } | undefined>>;
}

/** The emission-line columns written (lower case), in order; NDOF columns are integers. */
export const EMLINE_COLUMNS: readonly string[] = ['oii', 'hdelta', 'hgamma', 'hbeta', 'oiii', 'halpha'].flatMap((l) =>
  ['flux', 'flux_ivar', 'sigma', 'sigma_ivar', 'cont', 'cont_ivar', 'share', 'share_ivar', 'ew', 'ew_ivar', 'chi2', 'ndof'].map(
    (q) => `${l}_${q}`,
  ),
);
