/**
 * The DESI DR1 ("iron") HEALPix data model as this package uses it. Everything is looked up by name
 * (HDU EXTNAMEs, column TTYPEs), never by position: the iron column order differs from older docs.
 */

/** Where DR1 lives and how its HEALPix tree is laid out. */
export const DR1 = {
  bucket: 'desidata',
  region: 'us-west-2',
  /** Key prefix of the HEALPix tree in the bucket (a local mirror has the same layout). */
  prefix: 'dr1/spectro/redux/iron/healpix/',
  httpsRoot: 'https://data.desi.lbl.gov/public/dr1/spectro/redux/iron/healpix/',
  specprod: 'iron',
  nside: 64,
  npix: 12 * 64 * 64,
} as const;

/** The per-pixel products fusion reads. */
export type Product = 'coadd' | 'redrock' | 'emline' | 'rrdetails' | 'qso_mgii' | 'qso_qn';

export const PRODUCTS: readonly Product[] = ['coadd', 'redrock', 'emline', 'rrdetails', 'qso_mgii', 'qso_qn'];

/** One HEALPix pixel of one survey and program. */
export interface PixelId {
  survey: string;
  program: string;
  /** nside = 64, NESTED. */
  healpix: number;
}

/** `coadd-main-dark-10016.fits`, `rrdetails-main-dark-10016.h5`, … */
export function fileName(product: Product, p: PixelId): string {
  return `${product}-${p.survey}-${p.program}-${p.healpix}.${product === 'rrdetails' ? 'h5' : 'fits'}`;
}

/** `main/dark/100/10016/`: the pixel's directory below the HEALPix root (PIXGROUP = PIXNUM // 100). */
export function pixelDir(p: PixelId): string {
  if (!Number.isInteger(p.healpix) || p.healpix < 0 || p.healpix >= DR1.npix)
    throw new RangeError(`HEALPix ${p.healpix} is outside 0–${DR1.npix - 1}`);
  return `${p.survey}/${p.program}/${Math.floor(p.healpix / 100)}/${p.healpix}/`;
}

/** Recognise a pixel from any path or key that contains `…/{survey}/{program}/{group}/{pixnum}/…`. */
export function parsePixelPath(path: string): PixelId | undefined {
  const m = /(?:^|\/)([a-z0-9]+)\/([a-z]+)\/(\d+)\/(\d+)(?:\/|$)/.exec(path);
  if (!m) return undefined;
  const healpix = Number(m[4]);
  if (Math.floor(healpix / 100) !== Number(m[3]) || healpix >= DR1.npix) return undefined;
  return { survey: m[1], program: m[2], healpix };
}

/** Camera grids (vacuum Å) as written by desispec: start, end, step and pixel count. */
export const CAMERAS = ['B', 'R', 'Z'] as const;
export type Camera = (typeof CAMERAS)[number];
export const CAMERA_GRIDS: Record<Camera, { start: number; end: number; step: number; npix: number }> = {
  B: { start: 3600, end: 5800, step: 0.8, npix: 2751 },
  R: { start: 5760, end: 7620, step: 0.8, npix: 2326 },
  Z: { start: 7520, end: 9824, step: 0.8, npix: 2881 },
};

/** HDU names of the coadd and redrock files. */
export const HDU = {
  fibermap: 'FIBERMAP',
  expFibermap: 'EXP_FIBERMAP',
  redshifts: 'REDSHIFTS',
  emline: 'EMLINEFIT',
  mgii: 'MGII',
  qn: 'QN_RR',
  wavelength: (c: Camera) => `${c}_WAVELENGTH`,
  flux: (c: Camera) => `${c}_FLUX`,
  ivar: (c: Camera) => `${c}_IVAR`,
  mask: (c: Camera) => `${c}_MASK`,
} as const;

/** ZWARN bits (redrock). */
export const ZWARN = {
  SKY: 1,
  LITTLE_COVERAGE: 2,
  SMALL_DELTA_CHI2: 4,
  NEGATIVE_MODEL: 8,
  MANY_OUTLIERS: 16,
  Z_FITLIMIT: 32,
  NEGATIVE_EMISSION: 64,
  UNPLUGGED: 128,
  BAD_TARGET: 256,
  NODATA: 512,
  BAD_MINFIT: 1024,
  POORDATA: 2048,
} as const;

/** FIBERSTATUS / COADD_FIBERSTATUS bits that matter here (desispec maskbits). */
export const FIBERSTATUS = {
  RESTRICTED: 1 << 3,
  BROKENFIBER: 1 << 2,
  MISSINGPOSITION: 1 << 8,
  BADPOSITION: 1 << 9,
  BADFIBER: 1 << 16,
  BADTRACE: 1 << 17,
  BADFLAT: 1 << 18,
  BADARC: 1 << 19,
  MANYBADCOL: 1 << 20,
  MANYREJECTED: 1 << 21,
  BADAMPB: 1 << 22,
  BADAMPR: 1 << 23,
  BADAMPZ: 1 << 24,
} as const;

/** desispec 0.56.5 `get_all_fiberbitmask_with_amp(camera)`: the bits that exclude a camera's data. */
export function fiberBitmaskWithAmp(camera: Camera): number {
  const f = FIBERSTATUS;
  const base =
    f.BROKENFIBER | f.MISSINGPOSITION | f.BADPOSITION | f.BADFIBER | f.BADTRACE | f.BADARC | f.BADFLAT | f.MANYBADCOL | f.MANYREJECTED;
  return base | (camera === 'B' ? f.BADAMPB : camera === 'R' ? f.BADAMPR : f.BADAMPZ);
}

/** Emission lines and quantities of the emline EMLINEFIT table, in file order. */
export const EMLINES = ['OII', 'HDELTA', 'HGAMMA', 'HBETA', 'OIII', 'HALPHA'] as const;
export const EMLINE_QUANTITIES = [
  'FLUX',
  'FLUX_IVAR',
  'SIGMA',
  'SIGMA_IVAR',
  'CONT',
  'CONT_IVAR',
  'SHARE',
  'SHARE_IVAR',
  'EW',
  'EW_IVAR',
  'CHI2',
  'NDOF',
] as const;
/** The 72 `<LINE>_<QUANTITY>` columns (upper case, as in the file). */
export const EMLINE_COLUMNS: readonly string[] = EMLINES.flatMap((l) => EMLINE_QUANTITIES.map((q) => `${l}_${q}`));

/** Default wavelength window of the concatenated product (applied to the stored float64 values). */
export const WAVE_MIN = 3600;
export const WAVE_MAX = 9800;
