import type { ColumnData, HduInfo } from '@desi/fits-reader';
import { assembleCameras } from './assemble/assemble.js';
import type { CameraData, Spectra } from './assemble/spectra.js';
import { CAMERAS, DR1, HDU, type PixelId, type Product } from './datamodel.js';
import { FusionError } from './errors.js';
import { qnTableName, readAfterburners } from './io/afterburners.js';
import { type Cols, columnsOf, f64, i64, indexOf, int32View, strip } from './io/columns.js';
import { readEmline } from './io/emline.js';
import type { RedrockFits } from './io/rrdetails.js';
import { type OpenProduct, openProduct, type PixelSources } from './io/sources.js';
import { type ChecksumTally, newTally, type VerifyMode, verifyHdus } from './io/verify.js';
import { applyPrecision, type Precision } from './precision.js';
import { productRequired, productsNeeded, type QsoAfterburners, type Selection, select } from './select.js';

/** Options of {@link fusePixel}. */
export interface FuseOptions {
  /** The pixel (for provenance and error messages); read from the coadd header when omitted. */
  pixel?: PixelId;
  specprod?: string;
  selection?: Selection;
  /** `concat` (default): B+R+Z then the wavelength window; `brz`: desispec's camera merge (7781 pixels). */
  camera?: 'concat' | 'brz';
  /** Stored-wavelength window; default [3600, 9800] for concat and none for brz. `null` keeps every pixel. */
  wavelengthRange?: [number, number] | null;
  /** Default lossless float32. */
  precision?: Precision;
  /**
   * Read rrdetails (default: when it is a local path or bytes). A remote rrdetails is fetched whole,
   * about 0.6× the coadd's size, so range-read pipelines leave it off unless asked.
   */
  rrdetails?: boolean;
  /** redrock fits kept per target from rrdetails (default 3: the best and the next two). */
  rrFits?: number;
  /**
   * An rrdetails file that is there but cannot be read (not HDF5, damaged): `warn` (default) fuses
   * the pixel without the fits and says so in `warnings`; `fail` fails the pixel (FusionError `bad-file`).
   */
  rrdetailsErrors?: 'warn' | 'fail';
  /**
   * Called once the selection is known and before any spectrum is read: a caller that budgets memory
   * reserves the spectra here (and may make the fusion wait until it can).
   */
  onSelected?: (s: { pixel: PixelId; count: number; targets: number }) => void | Promise<void>;
  /**
   * Checksums: `read` (default) checks CHECKSUM/DATASUM of every HDU read whole (no extra bytes from a
   * remote source); `full` also reads the camera arrays whole to check them (their bytes, ~0.8 GB for
   * a large DR1 coadd); `off`. A mismatch fails the pixel with FusionError `checksum`.
   */
  verify?: VerifyMode;
}

/** One pixel's selected targets, fused into columns (plain typed arrays, in REDSHIFTS order). */
export interface FusedPixel {
  pixel: PixelId;
  specprod: string;
  camera: 'concat' | 'brz';
  precision: Precision;
  count: number;
  targetId: BigInt64Array;
  ra: Float64Array;
  dec: Float64Array;
  z: Float64Array;
  zerr: Float64Array;
  zwarn: BigInt64Array;
  spectype: string[];
  subtype: string[];
  deltachi2: Float64Array;
  /** REDSHIFTS CHI2 (never null); equal to the znum 0 fit of rrdetails when that is read. */
  rrChi2: Float64Array;
  /** The best `nfit` redrock fits per target, when rrdetails was read. */
  rrFits?: RedrockFits;
  /** Lower-case emission-line columns (`oii_flux`, …); absent when there is no emline file. */
  emline?: Record<string, Float64Array>;
  /** desi-qso-catalog selection: which classifiers called each target a QSO. */
  qsoMaskbits?: Int32Array;
  /** The shared wavelength grid (float64 as stored; rounded in `decimals` mode). */
  wavelength: Float64Array;
  /** count × wavelength.length: float32 (lossless, keepbits) or float64 (decimals). */
  flux: Float32Array | Float64Array;
  ivar: Float32Array | Float64Array;
  mask: Int32Array;
  /** Optional products that were not there. */
  missing: Product[];
  /** Bytes and reads per product. */
  io: Partial<Record<Product, { bytes: number; reads: number; size: number; name: string }>>;
  /** Non-fatal findings (e.g. rrdetails χ² not equal to REDSHIFTS). */
  warnings: string[];
  /** HDUs checked against their CHECKSUM/DATASUM, without either keyword, and read in part (not checked). */
  checksums: ChecksumTally;
}

/**
 * Fuse one HEALPix pixel: redrock REDSHIFTS and the needed FIBERMAP columns → selection → only the
 * selected rows of the coadd's FLUX/IVAR/MASK per camera and its wavelength arrays (never RESOLUTION,
 * never EXP_FIBERMAP) → emline rows by TARGETID → rrdetails fits. Every product is read through a
 * byte counter, so the same code reads local files, HTTP or S3 ranges and reports what it fetched.
 *
 * @example
 * const fused = await fusePixel(localPixelSources('…/healpix/main/dark/100/10016'));
 * fused.count; fused.flux; // count × 7927 float32
 */
export async function fusePixel(sources: PixelSources, options: FuseOptions = {}): Promise<FusedPixel> {
  const camera = options.camera ?? 'concat';
  const precision = options.precision ?? { mode: 'lossless' };
  const missing: Product[] = [];
  const warnings: string[] = [];
  const opened = await openProducts(sources, options, missing);
  try {
    const rr = opened.redrock as OpenProduct;
    const coadd = opened.coadd as OpenProduct;
    // The coadd's HDU walk (a header read per HDU) overlaps the redrock reads; awaited below.
    const coaddHdus = coadd.fits.hdus();
    coaddHdus.catch(() => {});
    const pixel = options.pixel ?? (await pixelFromHeader(coadd));
    const at = (product: Product, file?: string) => ({ pixel, product, file });
    const checks = new Checks(options.verify ?? 'read', pixel);

    // 1. redrock: REDSHIFTS and the FIBERMAP columns the selection and output need.
    const red = await readRedrock(rr, !!options.selection?.fiberstatusZero, at);
    checks.add(rr, [HDU.redshifts, HDU.fibermap], 'redrock');
    // 2. selection.
    const { sel, rows } = await selectTargets(red, opened, options, pixel, checks);
    const count = rows.length;
    // The caller learns the size of what comes (the spectra of `count` targets) before it is read.
    await options.onSelected?.({ pixel, count, targets: red.tid.length });
    const pick = <T extends { length: number; [i: number]: unknown }>(a: T, make: (n: number) => T, map = (i: number) => i): T => {
      const out = make(count);
      for (let k = 0; k < count; k++) (out as Record<number, unknown>)[k] = a[map(rows[k])];
      return out;
    };
    const targetId = pick(red.tid, (n) => new BigInt64Array(n));
    const z = pick(red.z, (n) => new Float64Array(n));
    const zerr = pick(f64(red.zt.ZERR), (n) => new Float64Array(n));
    for (const [row, o] of sel.zOverride ?? []) {
      const k = rows.indexOf(row);
      if (k >= 0) {
        z[k] = o.z;
        zerr[k] = o.zerr;
      }
    }
    // Emission lines by TARGETID, read while the coadd is.
    const emlineRead = opened.emline ? readEmline(opened.emline, targetId, pixel) : undefined;
    emlineRead?.catch(() => {});

    // 3. coadd: only the selected rows of each camera. 4. spectra on one grid.
    const coaddRead = await readCameras(coadd, await coaddHdus, targetId, camera, at, checks);
    checks.add(
      coadd,
      CAMERAS.map((c) => HDU.wavelength(c)),
      'coadd',
    );
    const partial = CAMERAS.flatMap((c) => [HDU.flux(c), HDU.ivar(c), HDU.mask(c)]);
    if (checks.mode === 'full') checks.add(coadd, partial, 'coadd');
    else checks.tally.unverified += partial.length;
    const spectra = assembleSpectra(coaddRead, count, camera, options);
    const { wavelength, flux, ivar } = applyPrecision(spectra, precision);

    // 5. emission lines by TARGETID.
    const emline: Record<string, Float64Array> | undefined = await emlineRead;
    if (emline) checks.add(opened.emline, [HDU.emline], 'emline');
    // 6. rrdetails.
    const rrChi2 = pick(f64(red.zt.CHI2), (n) => new Float64Array(n));
    const rrFits = await readRrdetails(sources.rrdetails, targetId, rrChi2, options, { missing, warnings, where: at('rrdetails') });

    await checks.done();
    return {
      pixel,
      specprod: options.specprod ?? DR1.specprod,
      camera,
      precision,
      count,
      targetId,
      ra: pick(red.ra, (n) => new Float64Array(n), red.fmRow),
      dec: pick(red.dec, (n) => new Float64Array(n), red.fmRow),
      z,
      zerr,
      zwarn: pick(i64(red.zt.ZWARN), (n) => new BigInt64Array(n)),
      spectype: rows.map((r) => red.spectype[r]),
      subtype: rows.map((r) => (red.zt.SUBTYPE as string[])[r].trim()),
      deltachi2: pick(f64(red.zt.DELTACHI2), (n) => new Float64Array(n)),
      rrChi2,
      rrFits,
      emline,
      qsoMaskbits: sel.qsoMaskbits,
      wavelength,
      flux,
      ivar,
      mask: spectra.mask,
      missing,
      io: ioOf(opened),
      warnings,
      checksums: checks.tally,
    };
  } finally {
    for (const p of Object.values(opened)) await p?.fits.close();
  }
}

type Where = (product: Product, file?: string) => { pixel: PixelId; product: Product; file?: string };

/** Open every product the options need at once (over a remote source each open is a round trip). */
async function openProducts(
  sources: PixelSources,
  options: FuseOptions,
  missing: Product[],
): Promise<Partial<Record<Product, OpenProduct>>> {
  // rrdetails is read later, and only when asked for.
  const products = productsNeeded({ selection: options.selection }).filter((p) => p !== 'rrdetails');
  const opening = await Promise.allSettled(
    products.map((product) => openProduct(product, sources[product], options.pixel, productRequired(product, options.selection))),
  );
  const opened: Partial<Record<Product, OpenProduct>> = {};
  opening.forEach((r, i) => {
    if (r.status === 'fulfilled' && r.value) opened[products[i]] = r.value;
    else if (r.status === 'fulfilled') missing.push(products[i]);
  });
  const failed = opening.find((r) => r.status === 'rejected');
  if (failed) {
    for (const p of Object.values(opened)) await p?.fits.close();
    throw (failed as PromiseRejectedResult).reason;
  }
  return opened;
}

/** The pixel a coadd says it is, from its primary header (`unknown`, −1 when it does not say). */
async function pixelFromHeader(coadd: OpenProduct): Promise<PixelId> {
  const h = await coadd.fits.header(0);
  const hp = h.get('HPXPIXEL') ?? h.get('SPGRPVAL');
  if (typeof h.get('SURVEY') === 'string' && typeof h.get('PROGRAM') === 'string' && typeof hp === 'number')
    return { survey: h.get('SURVEY') as string, program: h.get('PROGRAM') as string, healpix: hp };
  return { survey: 'unknown', program: 'unknown', healpix: -1 };
}

/** CHECKSUM/DATASUM checks of HDUs read whole, run while the next reads go on, awaited at the end. */
class Checks {
  readonly tally: ChecksumTally = newTally();
  private readonly running: Promise<void>[] = [];

  constructor(
    readonly mode: VerifyMode,
    private readonly pixel: PixelId,
  ) {}

  add(p: OpenProduct | undefined, names: readonly string[], product: Product): void {
    if (this.mode === 'off' || !p) return;
    const c = verifyHdus(p, names, this.tally, { pixel: this.pixel, product });
    c.catch(() => {});
    this.running.push(c);
  }

  async done(): Promise<void> {
    await Promise.all(this.running);
  }
}

/** What step 1 reads from redrock. */
interface RedrockRead {
  zt: Cols;
  tid: BigInt64Array;
  z: Float64Array;
  spectype: string[];
  ra: Float64Array;
  dec: Float64Array;
  status?: ColumnData;
  /** The FIBERMAP row of REDSHIFTS row i. */
  fmRow: (i: number) => number;
}

/** Step 1: REDSHIFTS and the FIBERMAP columns needed (row-matched in DESI files; else matched by TARGETID). */
async function readRedrock(rr: OpenProduct, needStatus: boolean, at: Where): Promise<RedrockRead> {
  const zcols = await columnsOf(
    rr,
    HDU.redshifts,
    ['TARGETID', 'Z', 'ZERR', 'ZWARN', 'CHI2', 'SPECTYPE', 'SUBTYPE', 'DELTACHI2'],
    at('redrock'),
  );
  const zt = (await rr.fits.readTable(HDU.redshifts, { columns: zcols })).columns as Cols;
  const fmCols = await columnsOf(
    rr,
    HDU.fibermap,
    ['TARGETID', 'TARGET_RA', 'TARGET_DEC', ...(needStatus ? ['COADD_FIBERSTATUS'] : [])],
    at('redrock'),
  );
  const rfm = (await rr.fits.readTable(HDU.fibermap, { columns: fmCols })).columns as Cols;
  const tid = i64(zt.TARGETID);
  const fmTid = i64(rfm.TARGETID);
  let fmRow = (i: number) => i;
  if (fmTid.length !== tid.length || tid.some((t, i) => t !== fmTid[i])) {
    const pos = indexOf(fmTid);
    fmRow = (i: number) => {
      const r = pos.get(tid[i]);
      if (r === undefined)
        throw new FusionError('targetid-mismatch', `TARGETID ${tid[i]} of REDSHIFTS is not in FIBERMAP`, at('redrock', rr.name));
      return r;
    };
  }
  return {
    zt,
    tid,
    z: f64(zt.Z),
    spectype: strip(zt.SPECTYPE),
    ra: f64(rfm.TARGET_RA),
    dec: f64(rfm.TARGET_DEC),
    status: rfm.COADD_FIBERSTATUS,
    fmRow,
  };
}

/** Step 2: the selection's rows of REDSHIFTS (reading the QSO afterburners when the method needs them). */
async function selectTargets(
  red: RedrockRead,
  opened: Partial<Record<Product, OpenProduct>>,
  options: FuseOptions,
  pixel: PixelId,
  checks: Checks,
): Promise<{ sel: ReturnType<typeof select>; rows: number[] }> {
  let qso: QsoAfterburners | undefined;
  if ((options.selection?.method ?? 'redrock') === 'desi-qso-catalog') {
    qso = await readAfterburners(opened.qso_mgii as OpenProduct, opened.qso_qn as OpenProduct, red.tid, pixel);
    checks.add(opened.qso_mgii, [HDU.mgii], 'qso_mgii');
    const qnName = await qnTableName(opened.qso_qn as OpenProduct);
    if (qnName) checks.add(opened.qso_qn, [qnName], 'qso_qn');
  }
  const status = red.status as ArrayLike<number> | undefined;
  const sel = select(
    {
      targetId: red.tid,
      spectype: red.spectype,
      zwarn: i64(red.zt.ZWARN),
      z: red.z,
      fiberstatus: status
        ? (Array.from({ length: red.tid.length }, (_, i) => Number(status[red.fmRow(i)])) as unknown as Int32Array)
        : undefined,
      qso,
    },
    options.selection,
  );
  return { sel, rows: sel.rows };
}

/** What step 3 reads from the coadd. */
interface CoaddRead {
  cams: CameraData[];
  /** COADD_FIBERSTATUS of the coadd FIBERMAP (brz only). */
  fiberstatus?: ArrayLike<number>;
  /** The coadd row of each selected target. */
  crow: number[];
}

/** Step 3: the coadd rows of the selected targets, every camera's HDUs checked, then all twelve arrays read at once. */
async function readCameras(
  coadd: OpenProduct,
  hdus: HduInfo[],
  targetId: BigInt64Array,
  camera: 'concat' | 'brz',
  at: Where,
  checks: Checks,
): Promise<CoaddRead> {
  const cols = await columnsOf(coadd, HDU.fibermap, ['TARGETID', ...(camera === 'brz' ? ['COADD_FIBERSTATUS'] : [])], at('coadd'));
  const cfm = (await coadd.fits.readTable(HDU.fibermap, { columns: cols })).columns as Cols;
  // Checked now, while its bytes are surely in the reader's cache (the camera reads come next).
  checks.add(coadd, [HDU.fibermap], 'coadd');
  const cpos = indexOf(i64(cfm.TARGETID));
  const crow = Array.from(targetId, (t) => {
    const r = cpos.get(t);
    if (r === undefined)
      throw new FusionError('targetid-mismatch', `TARGETID ${t} of redrock is not in the coadd FIBERMAP`, at('coadd', coadd.name));
    return r;
  });
  checkCameraHdus(coadd, hdus, cpos.size === 0 ? 0 : (cfm.TARGETID as BigInt64Array).length, at);
  const cams: CameraData[] = await Promise.all(
    CAMERAS.map(async (c): Promise<CameraData> => {
      const [wave, flux, ivar, mask] = await Promise.all([
        coadd.fits.readImage(HDU.wavelength(c)),
        coadd.fits.readImage(HDU.flux(c), { rows: crow }),
        coadd.fits.readImage(HDU.ivar(c), { rows: crow }),
        coadd.fits.readImage(HDU.mask(c), { rows: crow }),
      ]);
      return {
        camera: c,
        wave: f64(wave.data as ColumnData),
        flux: flux.data instanceof Float32Array ? flux.data : Float32Array.from(flux.data as ArrayLike<number>),
        ivar: ivar.data instanceof Float32Array ? ivar.data : Float32Array.from(ivar.data as ArrayLike<number>),
        mask: int32View(mask.data),
      };
    }),
  );
  return { cams, crow, fiberstatus: cfm.COADD_FIBERSTATUS as ArrayLike<number> | undefined };
}

/** Every camera has its four HDUs with shapes that agree with FIBERMAP and the wavelength grid. */
function checkCameraHdus(coadd: OpenProduct, hdus: HduInfo[], nspec: number, at: Where): void {
  const has = (name: string) => hdus.find((h) => h.name?.toUpperCase() === name);
  for (const c of CAMERAS) {
    for (const name of [HDU.wavelength(c), HDU.flux(c), HDU.ivar(c), HDU.mask(c)]) {
      if (has(name)) continue;
      // A cut-short file loses its last HDUs: say so rather than only that a camera is missing.
      const cut = coadd.fits.warnings.find((w) => w.code === 'truncated-data');
      throw new FusionError(
        cut ? 'bad-file' : 'missing-camera',
        `camera ${c} is missing (no ${name} HDU)${cut ? `: the file is truncated (${cut.message})` : ''}`,
        at('coadd', coadd.name),
      );
    }
    const waveShape = has(HDU.wavelength(c))?.shape ?? [];
    const npix = waveShape.length === 1 ? waveShape[0] : -1;
    for (const name of [HDU.flux(c), HDU.ivar(c), HDU.mask(c)]) {
      const shape = has(name)?.shape ?? [];
      if (shape.length !== 2 || shape[1] !== npix || shape[0] !== nspec) {
        throw new FusionError(
          'bad-shape',
          `${name} has shape [${shape}] but FIBERMAP has ${nspec} rows and ${HDU.wavelength(c)} ${npix} pixels`,
          at('coadd', coadd.name),
        );
      }
    }
  }
}

/** Step 4: the cameras on one grid. */
function assembleSpectra(read: CoaddRead, count: number, camera: 'concat' | 'brz', options: FuseOptions): Spectra {
  const st = read.fiberstatus as ArrayLike<number>;
  return assembleCameras(read.cams, count, camera, () => read.crow.map((r) => Number(st[r])), options.wavelengthRange);
}

/** Bytes and reads per product, for the caller's accounting. */
function ioOf(opened: Partial<Record<Product, OpenProduct>>): FusedPixel['io'] {
  const io: FusedPixel['io'] = {};
  for (const [k, p] of Object.entries(opened))
    if (p) io[k as Product] = { bytes: p.counter.bytes, reads: p.counter.reads, size: p.counter.size, name: p.name };
  return io;
}

/**
 * Step 6 of {@link fusePixel}: the redrock fits of the selected targets from rrdetails. An absent
 * file is listed in `missing`; one that cannot be read is a warning (or, by option, a failure),
 * never silence; so is a file with no fits for any selected target.
 */
async function readRrdetails(
  rd: PixelSources['rrdetails'],
  targetId: BigInt64Array,
  rrChi2: Float64Array,
  options: FuseOptions,
  out: { missing: Product[]; warnings: string[]; where: { pixel?: PixelId; product: Product } },
): Promise<RedrockFits | undefined> {
  if (rd === undefined) {
    out.missing.push('rrdetails');
    return undefined;
  }
  const count = targetId.length;
  const wanted = options.rrdetails ?? (typeof rd === 'string' || rd instanceof Uint8Array);
  if (!wanted || count === 0) return undefined;
  const file = typeof rd === 'string' ? rd : rd instanceof Uint8Array ? undefined : rd.name;
  let fits: RedrockFits;
  try {
    const input = typeof rd === 'string' || rd instanceof Uint8Array ? rd : await rd.read(0, rd.size);
    // h5wasm and the temp-file path are Node-only; load them only when rrdetails is read.
    const { readRedrockFits } = await import('./io/rrdetails.js');
    fits = await readRedrockFits(input, targetId, options.rrFits ?? 3);
  } catch (e) {
    if (e instanceof FusionError && e.code === 'bad-option') throw e; // h5wasm missing: the caller's setup, not the file
    if ((e as NodeJS.ErrnoException)?.code === 'ENOENT') {
      out.missing.push('rrdetails');
      return undefined;
    }
    const err =
      e instanceof FusionError
        ? e
        : new FusionError('bad-file', `rrdetails cannot be read: ${(e as Error)?.message ?? e}`, { ...out.where, file, cause: e });
    if (options.rrdetailsErrors === 'fail') throw err;
    out.warnings.push(`${err.message} (fused without rrdetails fits)`);
    return undefined;
  }
  if (fits.missing.length === count)
    out.warnings.push(`rrdetails${file ? ` ${file}` : ''} has no fit for any of the ${count} selected targets`);
  for (let k = 0; k < count; k++) {
    const best = fits.chi2[k * fits.nfit];
    if (!Number.isNaN(best) && best !== rrChi2[k])
      out.warnings.push(`TARGETID ${targetId[k]}: rrdetails znum 0 χ² ${best} ≠ REDSHIFTS CHI2 ${rrChi2[k]}`);
  }
  return fits;
}
