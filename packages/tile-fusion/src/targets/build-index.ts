import type { HduInfo } from '@desi/fits-reader';
import { CAMERAS, type Camera, HDU, type PixelId } from '../datamodel.js';
import { FusionError } from '../errors.js';
import { type Cols, columnsOf, f64, i64, indexOf, strip } from '../io/columns.js';
import { type OpenProduct, openProduct, type ProductInput } from '../io/sources.js';
import type { CameraLayout, TargetIndexRow } from './index-row.js';

/** Options of {@link indexPixel}. */
export interface IndexPixelOptions {
  pixel: PixelId;
  /** Paths of the pixel's files below the HEALPix root (what the index records). */
  files: { coadd: string; emline?: string };
  /**
   * Read the coadd's FIBERMAP TARGETIDs and match by them even when its row count agrees with
   * redrock's FIBERMAP (by default trusted, as DESI writes them row for row).
   */
  checkCoaddRows?: boolean;
  /** The coadd's ETag, when it is remote (readTargets pins reads to it). */
  coaddEtag?: string;
  /** The emline file's ETag and size, when known from a listing (readTargets then needs no HEAD). */
  emlineEtag?: string;
  emlineSize?: number;
}

/** What indexing one pixel found and cost. */
export interface IndexedPixel {
  rows: TargetIndexRow[];
  /** Bytes read from redrock and coadd (headers, FIBERMAP columns, REDSHIFTS). */
  bytes: number;
  /** Problems that did not stop the index (e.g. REDSHIFTS not row-matched with the coadd's FIBERMAP). */
  warnings: string[];
}

/**
 * The index rows of one pixel: every REDSHIFTS target with its coadd row and where each camera's arrays
 * start in the coadd, from its headers. Reads redrock's two tables and the coadd's headers; the coadd's
 * FIBERMAP only when its row count disagrees with redrock's (or `checkCoaddRows`): then rows are
 * matched by TARGETID and a warning says the files are not row-matched. Never a camera array.
 *
 * @example
 * const { rows } = await indexPixel({ redrock, coadd }, { pixel, files: { coadd: 'main/dark/100/10016/coadd-main-dark-10016.fits' } });
 */
export async function indexPixel(sources: { redrock: ProductInput; coadd: ProductInput }, o: IndexPixelOptions): Promise<IndexedPixel> {
  const rr = (await openProduct('redrock', sources.redrock, o.pixel, true)) as OpenProduct;
  const coadd = await openProduct('coadd', sources.coadd, o.pixel, true).catch(async (e) => {
    await rr.fits.close();
    throw e;
  });
  try {
    const at = (product: 'redrock' | 'coadd', file?: string) => ({ pixel: o.pixel, product, file });
    const hdus = (coadd as OpenProduct).fits.hdus();
    hdus.catch(() => {});
    const zt = (
      await rr.fits.readTable(HDU.redshifts, {
        columns: await columnsOf(
          rr,
          HDU.redshifts,
          ['TARGETID', 'Z', 'ZERR', 'ZWARN', 'CHI2', 'SPECTYPE', 'SUBTYPE', 'DELTACHI2'],
          at('redrock'),
        ),
      })
    ).columns as Cols;
    const rfm = (
      await rr.fits.readTable(HDU.fibermap, {
        columns: await columnsOf(rr, HDU.fibermap, ['TARGETID', 'TARGET_RA', 'TARGET_DEC', 'COADD_FIBERSTATUS'], at('redrock')),
      })
    ).columns as Cols;
    const c = coadd as OpenProduct;
    const cameras = cameraLayouts(await hdus, c.name, o.pixel);
    const tid = i64(zt.TARGETID);
    const fmTid = i64(rfm.TARGETID);
    const warnings: string[] = [];
    if (fmTid.length !== tid.length || tid.some((t, i) => t !== fmTid[i]))
      warnings.push(`${o.files.coadd}: REDSHIFTS is not row-matched with redrock's FIBERMAP; rows matched by TARGETID`);
    const { cpos, nspec } = await coaddRows(c, await hdus, fmTid, o, warnings);
    const rows = indexRows(zt, rfm, cpos, o, { cameras, coaddSize: c.counter.size, nspec }, warnings);
    return { rows, bytes: rr.counter.bytes + c.counter.bytes, warnings };
  } finally {
    await rr.fits.close();
    await coadd?.fits.close();
  }
}

/**
 * Each TARGETID's coadd row. DESI writes redrock's FIBERMAP as a copy of the coadd's, row for row, so a
 * target's coadd row is its FIBERMAP row and the coadd's own FIBERMAP (wide, read whole to get one
 * column) is not read; when the coadd's row count says otherwise, or when asked, its TARGETIDs are.
 */
async function coaddRows(
  c: OpenProduct,
  hdus: HduInfo[],
  fmTid: BigInt64Array,
  o: IndexPixelOptions,
  warnings: string[],
): Promise<{ cpos: Map<bigint, number>; nspec: number }> {
  const nspec = hdus.find((h) => h.name?.toUpperCase() === HDU.flux('B'))?.shape?.[0] ?? -1;
  if (!o.checkCoaddRows && nspec === fmTid.length) return { cpos: indexOf(fmTid), nspec };
  const where = { pixel: o.pixel, product: 'coadd' as const };
  const cfm = (await c.fits.readTable(HDU.fibermap, { columns: await columnsOf(c, HDU.fibermap, ['TARGETID'], where) })).columns as Cols;
  const ctid = i64(cfm.TARGETID);
  if (ctid.length !== fmTid.length || fmTid.some((t, i) => t !== ctid[i]))
    warnings.push(`${o.files.coadd}: the coadd's FIBERMAP is not row-matched with redrock's; rows matched by TARGETID`);
  return { cpos: indexOf(ctid), nspec };
}

/** One row per REDSHIFTS target found in both FIBERMAPs (the others are left out, with a warning). */
function indexRows(
  zt: Cols,
  rfm: Cols,
  cpos: Map<bigint, number>,
  o: IndexPixelOptions,
  file: { cameras: Record<Camera, CameraLayout>; coaddSize: number; nspec: number },
  warnings: string[],
): TargetIndexRow[] {
  const tid = i64(zt.TARGETID);
  const fmpos = indexOf(i64(rfm.TARGETID));
  const [ra, dec, z, zerr, chi2, dchi2] = [rfm.TARGET_RA, rfm.TARGET_DEC, zt.Z, zt.ZERR, zt.CHI2, zt.DELTACHI2].map((x) => f64(x));
  const zwarn = i64(zt.ZWARN);
  const spectype = strip(zt.SPECTYPE);
  const subtype = strip(zt.SUBTYPE);
  const status = rfm.COADD_FIBERSTATUS as ArrayLike<number>;
  const rows: TargetIndexRow[] = [];
  for (let i = 0; i < tid.length; i++) {
    const row = cpos.get(tid[i]);
    const fm = fmpos.get(tid[i]);
    if (row === undefined || fm === undefined) {
      warnings.push(`TARGETID ${tid[i]} of REDSHIFTS is not in ${row === undefined ? "the coadd's" : "redrock's"} FIBERMAP; left out`);
      continue;
    }
    rows.push({
      targetId: tid[i],
      survey: o.pixel.survey,
      program: o.pixel.program,
      healpix: o.pixel.healpix,
      row,
      nspec: file.nspec,
      ra: ra[fm],
      dec: dec[fm],
      z: z[i],
      zerr: zerr[i],
      zwarn: zwarn[i],
      spectype: spectype[i],
      subtype: subtype[i],
      deltachi2: dchi2[i],
      chi2: chi2[i],
      fiberstatus: Number(status[fm]),
      coadd: o.files.coadd,
      coaddEtag: o.coaddEtag,
      coaddSize: file.coaddSize,
      emline: o.files.emline,
      emlineEtag: o.files.emline ? o.emlineEtag : undefined,
      emlineSize: o.files.emline ? o.emlineSize : undefined,
      cameras: file.cameras,
    });
  }
  return rows;
}

/** Each camera's data offsets from the coadd's headers, refusing layouts the index cannot describe. */
function cameraLayouts(hdus: HduInfo[], file: string, pixel: PixelId): Record<Camera, CameraLayout> {
  const find = (name: string) => {
    const h = hdus.find((x) => x.name?.toUpperCase() === name);
    if (!h) throw new FusionError('missing-camera', `no ${name} HDU`, { pixel, product: 'coadd', file });
    return h;
  };
  const plain = (h: HduInfo, bitpix: number, what: string) => {
    const bscale = Number(h.header.get('BSCALE') ?? 1);
    const bzero = Number(h.header.get('BZERO') ?? 0);
    const ok = h.kind === 'image' && h.bitpix === bitpix && bscale === 1 && (bzero === 0 || (bitpix === 32 && bzero === 2 ** 31));
    if (!ok)
      throw new FusionError(
        'bad-file',
        `${h.name} is not ${what} (BITPIX ${h.bitpix}, BSCALE ${bscale}, BZERO ${bzero}): cannot be indexed`,
        { pixel, product: 'coadd', file },
      );
    return bzero;
  };
  const out = {} as Record<Camera, CameraLayout>;
  for (const cam of CAMERAS) {
    const [wave, flux, ivar, mask] = [HDU.wavelength(cam), HDU.flux(cam), HDU.ivar(cam), HDU.mask(cam)].map(find);
    plain(wave, -64, 'float64');
    plain(flux, -32, 'float32');
    plain(ivar, -32, 'float32');
    const maskBzero = plain(mask, 32, 'a 32-bit integer image');
    const npix = wave.shape?.[0] ?? 0;
    for (const h of [flux, ivar, mask])
      if (h.shape?.[1] !== npix)
        throw new FusionError('bad-shape', `${h.name} rows have ${h.shape?.[1]} pixels, ${wave.name} ${npix}`, {
          pixel,
          product: 'coadd',
          file,
        });
    out[cam] = {
      npix,
      waveOffset: wave.dataOffset,
      fluxOffset: flux.dataOffset,
      ivarOffset: ivar.dataOffset,
      maskOffset: mask.dataOffset,
      maskBzero,
    };
  }
  return out;
}
