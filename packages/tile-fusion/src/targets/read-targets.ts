import { assembleCameras } from '../assemble/assemble.js';
import type { CameraData } from '../assemble/spectra.js';
import { CAMERAS, DR1, type PixelId, type Product } from '../datamodel.js';
import { FusionError } from '../errors.js';
import type { FusedPixel } from '../fuse.js';
import { CountingSource } from '../io/counting-source.js';
import { readEmline } from '../io/emline.js';
import { openProduct, type ProductInput, toByteSource } from '../io/sources.js';
import { newTally } from '../io/verify.js';
import { applyPrecision, type Precision } from '../precision.js';
import type { CameraLayout, TargetIndexRow } from './index-row.js';

/** Finds index rows by TARGETID: an index file (see spectra-parquet's openTargetIndex) or rows in memory. */
export interface TargetLookup {
  lookup(ids: readonly bigint[]): Promise<Map<bigint, TargetIndexRow>>;
}

/** Options of {@link readTargets}. */
export interface ReadTargetsOptions {
  camera?: 'concat' | 'brz';
  precision?: Precision;
  specprod?: string;
  wavelengthRange?: [number, number] | null;
  /**
   * Opens a file the index names (a path below the HEALPix root). Remote sources should pin reads to
   * `etag` (S3RangeSource does with If-Match), so a file changed since the index was built is an error.
   */
  sources: (file: string, pin: { etag?: string; size: number }) => ProductInput | Promise<ProductInput>;
  /** Read the emission lines from each pixel's emline file (default true). */
  emline?: boolean;
  /**
   * `asked` (default): a group per run of consecutive ids of one file, so the groups follow the order
   * asked exactly. `file`: one group per file (in the order of its first id; ids in the order asked
   * within it): fewer, larger groups, as a writer wants them.
   */
  groupBy?: 'asked' | 'file';
}

/** The spectra of the asked targets, in the order asked. */
export interface TargetSpectra {
  /** One fused record per run of consecutive asked targets from the same coadd (fusePixel's shape). */
  groups: FusedPixel[];
  /** Asked TARGETIDs the index does not know, in the order asked. */
  unknown: bigint[];
  /** Bytes and requests over all files. */
  bytes: number;
  reads: number;
}

/** Turns an array of rows into a lookup. */
export function lookupFromRows(rows: Iterable<TargetIndexRow>): TargetLookup {
  const byId = new Map<bigint, TargetIndexRow>();
  for (const r of rows) byId.set(r.targetId, r);
  return { lookup: async (ids) => new Map(ids.flatMap((id) => (byId.has(id) ? [[id, byId.get(id) as TargetIndexRow]] : []))) };
}

/** An opened coadd: its source and its wavelength grids. */
interface OpenCoadd {
  src: CountingSource;
  waves: Partial<Record<string, Promise<Float64Array>>>;
}

/**
 * Read the spectra of some targets straight from their coadds, using an index for where each lies:
 * the ids are grouped by coadd, and only their rows of the nine camera arrays (plus each file's three
 * wavelength grids, once) are read, with no header walk. Returns fusePixel's record for each run of
 * consecutive ids of one pixel, values equal to fusePixel's for the same targets and options, whatever
 * their SPECTYPE. Unknown ids are reported, not dropped. Runs in browsers (it reads only ByteSources).
 *
 * @example
 * const { groups, unknown } = await readTargets(index, [39633345008617988n], { sources: (f, pin) => openS3(f, pin) });
 */
export async function readTargets(index: TargetLookup, targetIds: readonly bigint[], o: ReadTargetsOptions): Promise<TargetSpectra> {
  const found = await index.lookup(targetIds);
  const unknown = targetIds.filter((id) => !found.has(id));
  const runs: TargetIndexRow[][] = [];
  const perFile = new Map<string, TargetIndexRow[]>();
  for (const id of targetIds) {
    const row = found.get(id);
    if (!row) continue;
    const last = runs[runs.length - 1];
    const group = o.groupBy === 'file' ? perFile.get(row.coadd) : last && last[0].coadd === row.coadd ? last : undefined;
    if (group) group.push(row);
    else {
      runs.push([row]);
      perFile.set(row.coadd, runs[runs.length - 1]);
    }
  }
  // Each file is read once for all its asked targets (camera rows, grids, emline), whatever the order asked.
  const byFile = new Map<string, TargetIndexRow[]>();
  for (const r of new Map(runs.flat().map((r) => [r.targetId, r])).values()) {
    const list = byFile.get(r.coadd);
    if (list) list.push(r);
    else byFile.set(r.coadd, [r]);
  }
  const files = new Map<string, FileData>();
  try {
    await Promise.all([...byFile].map(async ([file, rows]) => files.set(file, await readFile(rows, o))));
    const groups = runs.map((rows) => fused(rows, files.get(rows[0].coadd) as FileData, o));
    let bytes = 0;
    let reads = 0;
    for (const f of files.values()) {
      bytes += f.src.bytes + f.emlineBytes;
      reads += f.src.reads + f.emlineReads;
    }
    return { groups, unknown, bytes, reads };
  } finally {
    for (const f of files.values()) await f.src.close().catch(() => {});
  }
}

/** One coadd's asked targets: their camera rows (in `order`), the grids, and their emission lines. */
interface FileData {
  src: CountingSource;
  /** Position of each TARGETID in the arrays below. */
  order: Map<bigint, number>;
  cams: CameraData[];
  emline?: Record<string, Float64Array>;
  emlineBytes: number;
  emlineReads: number;
}

async function readFile(rows: TargetIndexRow[], o: ReadTargetsOptions): Promise<FileData> {
  const first = rows[0];
  const coadd = await openCoadd(first, o);
  try {
    const pixel: PixelId = { survey: first.survey, program: first.program, healpix: first.healpix };
    const targetId = BigInt64Array.from(rows, (r) => r.targetId);
    const [cams, em] = await Promise.all([
      Promise.all(CAMERAS.map((c) => readCamera(coadd, c, first.cameras[c], rows))),
      o.emline === false ? undefined : emlineOf(first, targetId, pixel, o),
    ]);
    return {
      src: coadd.src,
      order: new Map(rows.map((r, k) => [r.targetId, k])),
      cams,
      emline: em?.values,
      emlineBytes: em?.bytes ?? 0,
      emlineReads: em?.reads ?? 0,
    };
  } catch (e) {
    await coadd.src.close().catch(() => {});
    throw e;
  }
}

/** fusePixel's record for a run of consecutive asked targets of one file. */
function fused(rows: TargetIndexRow[], f: FileData, o: ReadTargetsOptions): FusedPixel {
  const first = rows[0];
  const count = rows.length;
  const camera = o.camera ?? 'concat';
  const precision = o.precision ?? { mode: 'lossless' };
  const at = rows.map((r) => f.order.get(r.targetId) as number);
  const cams = f.cams.map((c) => {
    const n = c.wave.length;
    const pick = <T extends Float32Array | Int32Array>(a: T, make: (len: number) => T): T => {
      const out = make(count * n);
      for (const [j, k] of at.entries()) out.set(a.subarray(k * n, (k + 1) * n), j * n);
      return out;
    };
    return {
      camera: c.camera,
      wave: c.wave,
      flux: pick(c.flux, (l) => new Float32Array(l)),
      ivar: pick(c.ivar, (l) => new Float32Array(l)),
      mask: pick(c.mask, (l) => new Int32Array(l)),
    };
  });
  const spectra = assembleCameras(cams, count, camera, () => rows.map((r) => r.fiberstatus), o.wavelengthRange);
  const { wavelength, flux, ivar } = applyPrecision(spectra, precision);
  const emline = f.emline
    ? Object.fromEntries(Object.entries(f.emline).map(([k, v]) => [k, Float64Array.from(at, (i) => v[i])]))
    : undefined;
  const f64 = (get: (r: TargetIndexRow) => number) => Float64Array.from(rows, get);
  const missing: Product[] = emline ? [] : ['emline'];
  const checksums = newTally();
  // The camera arrays are read in part, so they cannot be checked against DATASUM.
  checksums.unverified = CAMERAS.length * 3;
  return {
    pixel: { survey: first.survey, program: first.program, healpix: first.healpix },
    specprod: o.specprod ?? DR1.specprod,
    camera,
    precision,
    count,
    targetId: BigInt64Array.from(rows, (r) => r.targetId),
    ra: f64((r) => r.ra),
    dec: f64((r) => r.dec),
    z: f64((r) => r.z),
    zerr: f64((r) => r.zerr),
    zwarn: BigInt64Array.from(rows, (r) => r.zwarn),
    spectype: rows.map((r) => r.spectype),
    subtype: rows.map((r) => r.subtype),
    deltachi2: f64((r) => r.deltachi2),
    rrChi2: f64((r) => r.chi2),
    emline,
    wavelength,
    flux,
    ivar,
    mask: spectra.mask,
    missing,
    io: { coadd: { bytes: f.src.bytes, reads: f.src.reads, size: f.src.size, name: first.coadd } },
    warnings: [],
    checksums,
  };
}

async function openCoadd(row: TargetIndexRow, o: ReadTargetsOptions): Promise<OpenCoadd> {
  const src = await toByteSource(await o.sources(row.coadd, { etag: row.coaddEtag, size: row.coaddSize }));
  return { src: new CountingSource(src), waves: {} };
}

/** One camera's rows of the run: FLUX, IVAR and MASK row by row at the indexed offsets, the grid once per file. */
async function readCamera(
  coadd: OpenCoadd,
  camera: (typeof CAMERAS)[number],
  l: CameraLayout,
  rows: TargetIndexRow[],
): Promise<CameraData> {
  const { src } = coadd;
  const n = l.npix;
  const ranges = rows.flatMap((r) =>
    [l.fluxOffset, l.ivarOffset, l.maskOffset].map((base) => ({ offset: base + r.row * n * 4, length: n * 4 })),
  );
  src.prefetch?.(ranges);
  if (!coadd.waves[camera]) {
    const wave = exact(src, l.waveOffset, n * 8).then((b) => bigEndianFloat64(b, n));
    wave.catch(() => {}); // awaited below; a row read failing first must not leave it unhandled
    coadd.waves[camera] = wave;
  }
  const flux = new Float32Array(rows.length * n);
  const ivar = new Float32Array(rows.length * n);
  const mask = new Int32Array(rows.length * n);
  await Promise.all(
    rows.map(async (r, k) => {
      const [f, i, m] = await Promise.all(
        [l.fluxOffset, l.ivarOffset, l.maskOffset].map((base) => exact(src, base + r.row * n * 4, n * 4)),
      );
      bigEndian32(f, flux, k * n, n, 'float');
      bigEndian32(i, ivar, k * n, n, 'float');
      bigEndian32(m, mask, k * n, n, 'int');
      // MASK stored as uint32 (BZERO 2^31): the same bits as fusePixel's int32 view of the unsigned values.
      if (l.maskBzero) for (let p = k * n; p < (k + 1) * n; p++) mask[p] ^= 0x80000000;
    }),
  );
  return { camera, wave: await (coadd.waves[camera] as Promise<Float64Array>), flux, ivar, mask };
}

async function emlineOf(
  row: TargetIndexRow,
  targetId: BigInt64Array,
  pixel: PixelId,
  o: ReadTargetsOptions,
): Promise<{ values: Record<string, Float64Array>; bytes: number; reads: number } | undefined> {
  if (!row.emline) return undefined;
  // The emline table is small (~350 bytes a row) and matched by TARGETID: read once per file.
  const p = await openProduct('emline', await o.sources(row.emline, { etag: row.emlineEtag, size: row.emlineSize ?? 0 }), pixel, false);
  if (!p) return undefined;
  try {
    const values = await readEmline(p, targetId, pixel);
    return { values, bytes: p.counter.bytes, reads: p.counter.reads };
  } finally {
    await p.fits.close();
  }
}

/** Exactly `length` bytes, or a FusionError: a file shorter than the index says has changed. */
async function exact(src: CountingSource, offset: number, length: number): Promise<Uint8Array> {
  const b = await src.read(offset, length);
  if (b.length !== length)
    throw new FusionError(
      'bad-file',
      `${src.name ?? 'coadd'}: ${b.length} of ${length} bytes at ${offset}: the file is not the one indexed`,
      {
        product: 'coadd',
        file: src.name,
      },
    );
  return b;
}

function bigEndianFloat64(b: Uint8Array, n: number): Float64Array {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = dv.getFloat64(8 * i);
  return out;
}

function bigEndian32(b: Uint8Array, out: Float32Array | Int32Array, at: number, n: number, kind: 'float' | 'int'): void {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (kind === 'float') for (let i = 0; i < n; i++) (out as Float32Array)[at + i] = dv.getFloat32(4 * i);
  else for (let i = 0; i < n; i++) (out as Int32Array)[at + i] = dv.getInt32(4 * i);
}
