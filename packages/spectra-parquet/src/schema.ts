import * as arrow from 'apache-arrow';
import { EMLINE_COLUMNS, type SpectraBatch } from './input.js';

export { VERSION } from './version.js';

type ListChild = arrow.Float32 | arrow.Float64 | arrow.Int32;

function listOf(child: ListChild): arrow.List<ListChild> {
  return new arrow.List(new arrow.Field('element', child, false));
}

/**
 * The Arrow schema of a spectra file. `wavelength` is list<float64> (list<float32> in brz mode);
 * flux/ivar are list<float32>, or list<float64> when the values were rounded to decimals (the
 * established product: rounded values are not float32 numbers); mask_array is list<int32>.
 */
export function spectraSchema(opts: { camera: 'concat' | 'brz'; roundedSpectra: boolean }): arrow.Schema {
  const f = (name: string, type: arrow.DataType, nullable = false) => new arrow.Field(name, type, nullable);
  const specType = opts.roundedSpectra ? new arrow.Float64() : new arrow.Float32();
  return new arrow.Schema([
    f('target_id', new arrow.Int64()),
    f('ra', new arrow.Float64()),
    f('dec', new arrow.Float64()),
    f('z', new arrow.Float64()),
    f('zerr', new arrow.Float64(), true),
    f('zwarn', new arrow.Int64(), true),
    f('spectype', new arrow.Utf8(), true),
    f('subtype', new arrow.Utf8(), true),
    f('deltachi2', new arrow.Float64(), true),
    f('rr_chi2', new arrow.Float64(), true),
    ...EMLINE_COLUMNS.map((c) => f(c, c.endsWith('_ndof') ? new arrow.Int32() : new arrow.Float32(), true)),
    f('wavelength', listOf(opts.camera === 'brz' ? new arrow.Float32() : new arrow.Float64())),
    f('flux', listOf(specType)),
    f('ivar', listOf(specType)),
    f('mask_array', listOf(new arrow.Int32())),
    f('survey', new arrow.Utf8()),
    f('program', new arrow.Utf8()),
    f('healpix', new arrow.Int32()),
    f('specprod', new arrow.Utf8()),
  ]);
}

function listData(type: arrow.List<ListChild>, values: ArrayLike<number>, rows: number, per: number) {
  const child = type.children[0].type as ListChild;
  const Ctor = child instanceof arrow.Float32 ? Float32Array : child instanceof arrow.Float64 ? Float64Array : Int32Array;
  const data = values instanceof Ctor ? values : Ctor.from(values);
  // makeData's overloads cannot be picked from a union element type; the props are right for each.
  const make = arrow.makeData as unknown as (props: Record<string, unknown>) => arrow.Data<arrow.List<ListChild>>;
  return make({
    type,
    length: rows,
    nullCount: 0,
    valueOffsets: Int32Array.from({ length: rows + 1 }, (_, i) => i * per),
    child: make({ type: child, length: data.length, nullCount: 0, data }),
  });
}

/** Per-row copies of the shared grid, in the list's element type. */
function repeatedGrid(grid: Float64Array, rows: number, f32: boolean): Float32Array | Float64Array {
  const out = f32 ? new Float32Array(rows * grid.length) : new Float64Array(rows * grid.length);
  for (let r = 0; r < rows; r++) out.set(grid, r * grid.length);
  return out;
}

/** Nullable primitive vector: NaN (or a missing column) becomes null. */
function nullable<T extends arrow.Float32 | arrow.Float64 | arrow.Int32>(
  type: T,
  values: ArrayLike<number> | undefined,
  rows: number,
): arrow.Vector<T> {
  const arr = Array.from({ length: rows }, (_, i) => {
    const v = values?.[i];
    return v === undefined || Number.isNaN(v) ? null : v;
  });
  return arrow.vectorFromArray(arr, type) as arrow.Vector<T>;
}

/** Arrow columns of a batch, in schema order. */
export function toArrowTable(b: SpectraBatch): arrow.Table {
  const rounded = !(b.flux instanceof Float32Array);
  const schema = spectraSchema({ camera: b.camera, roundedSpectra: rounded });
  const n = b.count;
  const npix = b.wavelength.length;
  if (b.flux.length !== n * npix || b.ivar.length !== n * npix || b.mask.length !== n * npix) {
    throw new RangeError(`spectra arrays must hold count × wavelength.length = ${n * npix} values`);
  }
  const type = (name: string) => schema.fields.find((f) => f.name === name)?.type as arrow.List<ListChild>;
  const str = (v: string[] | undefined) => arrow.vectorFromArray(v ?? new Array(n).fill(null), new arrow.Utf8());
  const columns: Record<string, arrow.Vector> = {
    target_id: arrow.makeVector(b.targetId),
    ra: arrow.makeVector(b.ra),
    dec: arrow.makeVector(b.dec),
    z: arrow.makeVector(b.z),
    zerr: nullable(new arrow.Float64(), b.zerr, n),
    zwarn: b.zwarn ? arrow.makeVector(b.zwarn) : arrow.vectorFromArray(new Array(n).fill(null), new arrow.Int64()),
    spectype: str(b.spectype),
    subtype: str(b.subtype),
    deltachi2: nullable(new arrow.Float64(), b.deltachi2, n),
    rr_chi2: nullable(new arrow.Float64(), b.rrChi2, n),
  };
  for (const c of EMLINE_COLUMNS) {
    const src = b.emline?.[c];
    columns[c] = c.endsWith('_ndof')
      ? nullable(new arrow.Int32(), src, n)
      : nullable(new arrow.Float32(), src ? Float32Array.from(src) : undefined, n);
  }
  columns.wavelength = arrow.makeVector(listData(type('wavelength'), repeatedGrid(b.wavelength, n, b.camera === 'brz'), n, npix));
  columns.flux = arrow.makeVector(listData(type('flux'), b.flux, n, npix));
  columns.ivar = arrow.makeVector(listData(type('ivar'), b.ivar, n, npix));
  columns.mask_array = arrow.makeVector(listData(type('mask_array'), b.mask, n, npix));
  columns.survey = arrow.vectorFromArray(new Array(n).fill(b.pixel.survey), new arrow.Utf8());
  columns.program = arrow.vectorFromArray(new Array(n).fill(b.pixel.program), new arrow.Utf8());
  columns.healpix = arrow.makeVector(new Int32Array(n).fill(b.pixel.healpix));
  columns.specprod = arrow.vectorFromArray(new Array(n).fill(b.specprod), new arrow.Utf8());
  const data = arrow.makeData({
    type: new arrow.Struct(schema.fields),
    length: n,
    nullCount: 0,
    children: schema.fields.map((f) => columns[f.name].data[0]),
  });
  return new arrow.Table(schema, new arrow.RecordBatch(schema, data));
}
