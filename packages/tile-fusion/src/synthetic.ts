import { type HduInput, type TableColumnInput, writeFits } from '@desi/fits-reader/writer';
import { CAMERA_GRIDS, CAMERAS, EMLINE_QUANTITIES, EMLINES, type PixelId, ZWARN } from './datamodel.js';
import { pixelCenter, radecToPixel } from './healpix.js';

/** Options of {@link makeSyntheticPixel}. */
export interface SyntheticOptions extends PixelId {
  /** Targets in the pixel (default 40). */
  ntargets?: number;
  /** Fraction of targets that are good QSOs (SPECTYPE QSO, ZWARN 0) (default 0.25). */
  qsoFraction?: number;
  /** Write the RESOLUTION HDUs (11 diagonals per pixel) like real coadds (default true). */
  resolution?: boolean;
  /** Write an emline file (default true). */
  emline?: boolean;
  seed?: number;
}

/** The FITS files of one synthetic pixel, in the DR1 layout and column names. */
export interface SyntheticPixel {
  coadd: Uint8Array;
  redrock: Uint8Array;
  emline?: Uint8Array;
  /** TARGETIDs that are good QSOs (SPECTYPE QSO, ZWARN 0), in file order. */
  goodQsos: bigint[];
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** numpy `arange(start, end + step/2, step)` values: start + i·(fl(start + step) − start). */
export function cameraWavelengths(start: number, step: number, npix: number): Float64Array {
  const delta = start + step - start;
  return Float64Array.from({ length: npix }, (_, i) => start + i * delta);
}

/**
 * A small DESI-format pixel written with this project's own FITS writer: coadd (FIBERMAP,
 * EXP_FIBERMAP, B/R/Z WAVELENGTH, FLUX, IVAR, MASK, RESOLUTION, SCORES), redrock (REDSHIFTS, FIBERMAP,
 * TSNR2) and emline (EMLINEFIT), with sky fibers, a negative TARGETID, zero-ivar and masked pixels.
 * Positions fall inside the HEALPix pixel. For demos, tests and benchmarks; the values are not physical.
 *
 * @example
 * const files = makeSyntheticPixel({ survey: 'main', program: 'dark', healpix: 10016, ntargets: 100 });
 */
export function makeSyntheticPixel(o: SyntheticOptions): SyntheticPixel {
  // One random stream, drawn in a fixed order (targets, coadd, redrock, emline): the same files every time.
  const rand = rng(o.seed ?? o.healpix);
  const t = syntheticTargets(o, rand);
  const primary = (extra: Array<{ keyword: string; value: string | number }> = []): HduInput => ({
    type: 'image',
    data: new Uint8Array(0),
    shape: [0],
    cards: [
      { keyword: 'SPGRP', value: 'healpix' },
      { keyword: 'SPGRPVAL', value: o.healpix },
      { keyword: 'HPXPIXEL', value: o.healpix },
      { keyword: 'HPXNSIDE', value: 64 },
      { keyword: 'HPXNEST', value: 'True' },
      { keyword: 'SURVEY', value: o.survey },
      { keyword: 'PROGRAM', value: o.program },
      ...extra,
    ],
  });
  const coadd = writeFits(coaddHdus(o, t, rand, primary()));
  const redrock = writeFits(redrockHdus(t, rand, primary([{ keyword: 'RRVER', value: '0.17.0' }])));
  const emline = (o.emline ?? true) ? writeFits(emlineHdus(t, rand, primary())) : undefined;
  return { coadd, redrock, emline, goodQsos: Array.from(t.targetId).filter((_, i) => t.good[i]) };
}

/** The targets of a synthetic pixel: ids, positions inside the pixel, classes, redshifts, warnings. */
interface Targets {
  n: number;
  ra: Float64Array;
  dec: Float64Array;
  targetId: BigInt64Array;
  objtype: string[];
  good: boolean[];
  spectype: string[];
  zwarn: BigInt64Array;
  z: Float64Array;
  fiberstatus: Int32Array;
  fibermap: TableColumnInput[];
}

function syntheticTargets(o: SyntheticOptions, rand: () => number): Targets {
  const n = o.ntargets ?? 40;
  const center = pixelCenter(o.healpix);
  const ra = new Float64Array(n);
  const dec = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    do {
      ra[i] = (center.ra + (rand() - 0.5) * 1.2 + 360) % 360;
      dec[i] = Math.max(-90, Math.min(90, center.dec + (rand() - 0.5) * 1.2));
    } while (radecToPixel(ra[i], dec[i]) !== o.healpix);
  }
  const targetId = BigInt64Array.from({ length: n }, (_, i) => 39627788448434509n + BigInt(o.healpix) * 100000n + BigInt(i) * 7n);
  const objtype = Array.from({ length: n }, (_, i) => (i < 2 ? 'SKY' : 'TGT'));
  targetId[0] |= 1n << 59n; // sky fibers have TARGETID bit 59
  targetId[1] |= 1n << 59n;
  if (n > 3) targetId[n - 1] = -BigInt(o.healpix % 5000) - 1n; // an unassigned positioner
  const good = Array.from({ length: n }, (_, i) => i >= 2 && i < n - 1 && rand() < (o.qsoFraction ?? 0.25));
  const spectype = good.map((g, i) => (g ? 'QSO' : i % 3 === 0 ? 'STAR' : i % 3 === 1 ? 'GALAXY' : rand() < 0.5 ? 'QSO' : 'GALAXY'));
  const zwarn = BigInt64Array.from({ length: n }, (_, i) =>
    good[i]
      ? 0n
      : i < 2
        ? BigInt(ZWARN.SKY)
        : i === n - 1
          ? BigInt(ZWARN.NODATA)
          : spectype[i] === 'QSO'
            ? BigInt(ZWARN.SMALL_DELTA_CHI2)
            : rand() < 0.2
              ? BigInt(ZWARN.LITTLE_COVERAGE)
              : 0n,
  );
  const z = Float64Array.from({ length: n }, (_, i) =>
    spectype[i] === 'QSO' ? 0.5 + rand() * 3.5 : spectype[i] === 'STAR' ? (rand() - 0.5) * 0.002 : 0.05 + rand() * 1.2,
  );
  const fiberstatus = Int32Array.from({ length: n }, (_, i) => (i === 5 ? 1 << 22 : 0)); // one BADAMPB
  const fibermap: TableColumnInput[] = [
    { name: 'TARGETID', data: targetId },
    { name: 'COADD_FIBERSTATUS', data: fiberstatus },
    { name: 'TARGET_RA', data: ra, unit: 'deg' },
    { name: 'TARGET_DEC', data: dec, unit: 'deg' },
    { name: 'OBJTYPE', data: objtype, width: 3 },
    { name: 'DESI_TARGET', data: BigInt64Array.from(spectype, (s) => (s === 'QSO' ? 4n : 1n)) },
    { name: 'COADD_NUMEXP', data: Int16Array.from({ length: n }, () => 2) },
  ];
  return { n, ra, dec, targetId, objtype, good, spectype, zwarn, z, fiberstatus, fibermap };
}

/** The coadd: FIBERMAP, EXP_FIBERMAP, each camera's WAVELENGTH, FLUX, IVAR, MASK (and RESOLUTION), SCORES. */
function coaddHdus(o: SyntheticOptions, t: Targets, rand: () => number, primary: HduInput): HduInput[] {
  const { n, targetId, fiberstatus } = t;
  const coadd: HduInput[] = [primary, { type: 'table', name: 'FIBERMAP', numRows: n, columns: t.fibermap }];
  coadd.push({
    type: 'table',
    name: 'EXP_FIBERMAP',
    numRows: 2 * n,
    columns: [
      { name: 'TARGETID', data: BigInt64Array.from({ length: 2 * n }, (_, i) => targetId[i >> 1]) },
      { name: 'EXPID', data: Int32Array.from({ length: 2 * n }, (_, i) => 100000 + (i & 1)) },
      { name: 'FIBERSTATUS', data: Int32Array.from({ length: 2 * n }, (_, i) => fiberstatus[i >> 1]) },
    ],
  });
  for (const c of CAMERAS) coadd.push(...cameraHdus(c, t, rand, o.resolution ?? true));
  coadd.push({ type: 'table', name: 'SCORES', numRows: n, columns: [{ name: 'TARGETID', data: targetId }] });
  return coadd;
}

/** One camera's HDUs: a Lyman-α bump on QSOs, noise, a few zero-ivar and masked pixels. */
function cameraHdus(c: (typeof CAMERAS)[number], t: Targets, rand: () => number, resolution: boolean): HduInput[] {
  const { n, z, spectype, fiberstatus } = t;
  const g = CAMERA_GRIDS[c];
  const wave = cameraWavelengths(g.start, g.step, g.npix);
  const flux = new Float32Array(n * g.npix);
  const ivar = new Float32Array(n * g.npix);
  const mask = new Int32Array(n * g.npix);
  for (let i = 0; i < n; i++) {
    const line = 1216 * (1 + z[i]);
    const broken = i === n - 1 || (c === 'B' && fiberstatus[i] & (1 << 22));
    for (let k = 0; k < g.npix; k++) {
      if (broken) continue;
      const at = i * g.npix + k;
      const bump = spectype[i] === 'QSO' ? 8 * Math.exp(-(((wave[k] - line) / 20) ** 2)) : 0;
      flux[at] = 1 + bump + (rand() - 0.5) * 0.4;
      ivar[at] = rand() < 0.002 ? 0 : 20 + rand() * 10;
      if (rand() < 0.003) mask[at] = 1 << Math.floor(rand() * 11);
    }
  }
  const hdus: HduInput[] = [
    { type: 'image', name: `${c}_WAVELENGTH`, data: wave, shape: [g.npix], cards: [{ keyword: 'BUNIT', value: 'Angstrom' }] },
    {
      type: 'image',
      name: `${c}_FLUX`,
      data: flux,
      shape: [n, g.npix],
      cards: [{ keyword: 'BUNIT', value: '10**-17 erg/(s cm2 Angstrom)' }],
    },
    {
      type: 'image',
      name: `${c}_IVAR`,
      data: ivar,
      shape: [n, g.npix],
      cards: [{ keyword: 'BUNIT', value: '10**+34 (s2 cm4 Angstrom2) / erg2' }],
    },
    { type: 'image', name: `${c}_MASK`, data: mask, shape: [n, g.npix] },
  ];
  if (resolution) {
    const res = new Float32Array(n * 11 * g.npix);
    for (let i = 0; i < n; i++)
      for (let d = 0; d < 11; d++) res.fill(Math.exp(-((d - 5) ** 2) / 4) / 3.5, (i * 11 + d) * g.npix, (i * 11 + d + 1) * g.npix);
    hdus.push({ type: 'image', name: `${c}_RESOLUTION`, data: res, shape: [n, 11, g.npix] });
  }
  return hdus;
}

/** The redrock file: REDSHIFTS, FIBERMAP (the coadd's), TSNR2. */
function redrockHdus(t: Targets, rand: () => number, primary: HduInput): HduInput[] {
  const { n, targetId, z, zwarn, spectype } = t;
  const chi2 = Float64Array.from({ length: n }, () => 7000 + rand() * 2000);
  return [
    primary,
    {
      type: 'table',
      name: 'REDSHIFTS',
      numRows: n,
      columns: [
        { name: 'TARGETID', data: targetId },
        { name: 'Z', data: z },
        { name: 'ZERR', data: Float64Array.from(z, (v) => 1e-4 * (1 + v)) },
        { name: 'ZWARN', data: zwarn },
        { name: 'CHI2', data: chi2 },
        { name: 'COEFF', data: Float64Array.from({ length: 10 * n }, () => rand()), cellShape: [10] },
        { name: 'NPIXELS', data: BigInt64Array.from({ length: n }, (_, i) => (i === n - 1 ? 0n : 7900n)) },
        { name: 'SPECTYPE', data: spectype, width: 6 },
        { name: 'SUBTYPE', data: spectype.map((s) => (s === 'QSO' ? 'LOZ' : s === 'STAR' ? 'K' : '')), width: 20 },
        { name: 'NCOEFF', data: BigInt64Array.from(spectype, (s) => (s === 'GALAXY' ? 10n : s === 'QSO' ? 4n : 5n)) },
        { name: 'DELTACHI2', data: Float64Array.from({ length: n }, () => rand() * 500) },
      ],
    },
    { type: 'table', name: 'FIBERMAP', numRows: n, columns: t.fibermap },
    { type: 'table', name: 'TSNR2', numRows: n, columns: [{ name: 'TARGETID', data: targetId }] },
  ];
}

/** The emline file: EMLINEFIT with every line's quantities (a third NaN, NDOF −99 where not fitted). */
function emlineHdus(t: Targets, rand: () => number, primary: HduInput): HduInput[] {
  const { n } = t;
  const cols: TableColumnInput[] = [
    { name: 'TARGETID', data: t.targetId },
    { name: 'Z', data: t.z },
    { name: 'ZWARN', data: t.zwarn },
    { name: 'SPECTYPE', data: t.spectype, width: 6 },
  ];
  for (const l of EMLINES) {
    for (const q of EMLINE_QUANTITIES) {
      if (q === 'NDOF')
        cols.push({ name: `${l}_${q}`, data: Int32Array.from({ length: n }, () => (rand() < 0.3 ? -99 : Math.floor(rand() * 80))) });
      else
        cols.push({ name: `${l}_${q}`, data: Float32Array.from({ length: n }, () => (rand() < 0.3 ? Number.NaN : (rand() - 0.2) * 50)) });
    }
  }
  return [primary, { type: 'table', name: 'EMLINEFIT', numRows: n, columns: cols }];
}
