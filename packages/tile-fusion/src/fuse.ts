import { CAMERAS, DR1, HDU, type PixelId, type Product } from './datamodel.js';
import { Checks } from './fuse-steps/checks.js';
import { assembleSpectra, readCameras } from './fuse-steps/coadd.js';
import { readRedrock, selectTargets } from './fuse-steps/redrock.js';
import { readRrdetails } from './fuse-steps/rrdetails.js';
import { f64, i64 } from './io/columns.js';
import { readEmline } from './io/emline.js';
import type { RedrockFits } from './io/rrdetails.js';
import { type OpenProduct, openProduct, type PixelSources } from './io/sources.js';
import type { ChecksumTally, VerifyMode } from './io/verify.js';
import { applyPrecision, type Precision } from './precision.js';
import { productRequired, productsNeeded, type Selection } from './select.js';

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

/** Bytes and reads per product, for the caller's accounting. */
function ioOf(opened: Partial<Record<Product, OpenProduct>>): FusedPixel['io'] {
  const io: FusedPixel['io'] = {};
  for (const [k, p] of Object.entries(opened))
    if (p) io[k as Product] = { bytes: p.counter.bytes, reads: p.counter.reads, size: p.counter.size, name: p.name };
  return io;
}
