/**
 * The spectra file's columns for the Parquet encoder: the same names, types and nullability as
 * {@link spectraSchema} (the Arrow view of the product), and a batch's rows as column values without
 * copying the spectra arrays.
 */
import { EMLINE_COLUMNS, type SpectraBatch } from './input.js';
import type { ColumnSpec, ColumnValues } from './parquet/format.js';

/** The shape that fixes a file's schema: every batch written to one file must agree on it. */
export interface SpectraShape {
  camera: 'concat' | 'brz';
  /** flux/ivar as float64 (values rounded to decimals are not float32 numbers). */
  rounded: boolean;
  /** Pixels per spectrum. */
  npix: number;
}

export function shapeOf(b: SpectraBatch): SpectraShape {
  return { camera: b.camera, rounded: !(b.flux instanceof Float32Array), npix: b.wavelength.length };
}

/** Parquet columns in schema order. Float spectra use BYTE_STREAM_SPLIT; integers and text stay PLAIN. */
export function spectraColumns(s: SpectraShape): ColumnSpec[] {
  const spec = s.rounded ? 'DOUBLE' : 'FLOAT';
  return [
    { name: 'target_id', type: 'INT64', shape: 'required' },
    { name: 'ra', type: 'DOUBLE', shape: 'required' },
    { name: 'dec', type: 'DOUBLE', shape: 'required' },
    { name: 'z', type: 'DOUBLE', shape: 'required' },
    { name: 'zerr', type: 'DOUBLE', shape: 'optional' },
    { name: 'zwarn', type: 'INT64', shape: 'optional' },
    { name: 'spectype', type: 'BYTE_ARRAY', shape: 'optional', text: true },
    { name: 'subtype', type: 'BYTE_ARRAY', shape: 'optional', text: true },
    { name: 'deltachi2', type: 'DOUBLE', shape: 'optional' },
    { name: 'rr_chi2', type: 'DOUBLE', shape: 'optional' },
    ...EMLINE_COLUMNS.map((c): ColumnSpec => ({ name: c, type: c.endsWith('_ndof') ? 'INT32' : 'FLOAT', shape: 'optional' })),
    { name: 'wavelength', type: s.camera === 'brz' ? 'FLOAT' : 'DOUBLE', shape: 'list', encoding: 'BYTE_STREAM_SPLIT' },
    { name: 'flux', type: spec, shape: 'list', encoding: 'BYTE_STREAM_SPLIT' },
    { name: 'ivar', type: spec, shape: 'list', encoding: 'BYTE_STREAM_SPLIT' },
    { name: 'mask_array', type: 'INT32', shape: 'list' },
    { name: 'survey', type: 'BYTE_ARRAY', shape: 'required', text: true },
    { name: 'program', type: 'BYTE_ARRAY', shape: 'required', text: true },
    { name: 'healpix', type: 'INT32', shape: 'required' },
    { name: 'specprod', type: 'BYTE_ARRAY', shape: 'required', text: true },
  ];
}

/** A nullable numeric column: NaN (or a missing array) is null; `kind` is the stored type. */
function nullable(src: Float64Array | undefined, a: number, b: number, kind: 'f64' | 'f32' | 'i32'): ColumnValues {
  const n = b - a;
  const values = kind === 'f64' ? new Float64Array(n) : kind === 'f32' ? new Float32Array(n) : new Int32Array(n);
  const valid = new Uint8Array(n);
  if (src)
    for (let i = 0; i < n; i++) {
      const v = src[a + i];
      if (!Number.isNaN(v)) {
        values[i] = v;
        valid[i] = 1;
      }
    }
  return { values, valid };
}

const fill = <T>(n: number, v: T): T[] => new Array<T>(n).fill(v);

/** Rows `a` to `b` of a batch as column values (spectra are views into the batch's arrays). */
export function batchColumns(batch: SpectraBatch, s: SpectraShape, a: number, b: number): ColumnValues[] {
  const n = b - a;
  const npix = s.npix;
  const grid = s.camera === 'brz' ? Float32Array.from(batch.wavelength) : batch.wavelength;
  const spectra = (v: Float32Array | Float64Array | Int32Array) => v.subarray(a * npix, b * npix);
  const strings = (v: string[] | undefined): ColumnValues => ({ strings: v ? v.slice(a, b) : fill<string | null>(n, null) });
  return [
    { values: batch.targetId.subarray(a, b) },
    { values: batch.ra.subarray(a, b) },
    { values: batch.dec.subarray(a, b) },
    { values: batch.z.subarray(a, b) },
    nullable(batch.zerr, a, b, 'f64'),
    batch.zwarn ? { values: batch.zwarn.subarray(a, b) } : { values: new BigInt64Array(n), valid: new Uint8Array(n) },
    strings(batch.spectype),
    strings(batch.subtype),
    nullable(batch.deltachi2, a, b, 'f64'),
    nullable(batch.rrChi2, a, b, 'f64'),
    ...EMLINE_COLUMNS.map((c) => nullable(batch.emline?.[c], a, b, c.endsWith('_ndof') ? 'i32' : 'f32')),
    { values: grid, per: npix, sameEveryRow: true },
    { values: spectra(batch.flux), per: npix },
    { values: spectra(batch.ivar), per: npix },
    { values: spectra(batch.mask), per: npix },
    { strings: fill(n, batch.pixel.survey) },
    { strings: fill(n, batch.pixel.program) },
    { values: new Int32Array(n).fill(batch.pixel.healpix) },
    { strings: fill(n, batch.specprod) },
  ];
}

/** Throws when a batch's arrays do not hold what its count and grid say. */
export function checkBatch(b: SpectraBatch): void {
  const n = b.count;
  const npix = b.wavelength.length;
  if (b.flux.length !== n * npix || b.ivar.length !== n * npix || b.mask.length !== n * npix) {
    throw new RangeError(`spectra arrays must hold count × wavelength.length = ${n * npix} values`);
  }
  for (const [k, v] of [
    ['targetId', b.targetId],
    ['ra', b.ra],
    ['dec', b.dec],
    ['z', b.z],
  ] as const) {
    if (v.length !== n) throw new RangeError(`${k} holds ${v.length} values for ${n} rows`);
  }
  if (b.flux instanceof Float32Array !== b.ivar instanceof Float32Array)
    throw new TypeError('flux and ivar must both be Float32Array or both Float64Array');
}
