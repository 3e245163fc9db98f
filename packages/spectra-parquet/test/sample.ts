import { pixelCenter } from '@desi/healpix';
import { EMLINE_COLUMNS, radecToPixel, type SpectraBatch } from '../src/index.js';

/** Positions inside a pixel (rejection sampling around its centre). */
function positions(healpix: number, n: number, rnd: () => number): { ra: Float64Array; dec: Float64Array } {
  const c = pixelCenter(healpix);
  const ra = new Float64Array(n);
  const dec = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    do {
      ra[i] = (c.ra + (rnd() - 0.5) * 1.2 + 360) % 360;
      dec[i] = c.dec + (rnd() - 0.5) * 1.2;
    } while (radecToPixel(ra[i], dec[i]) !== healpix);
  }
  return { ra, dec };
}

/** A deterministic batch shaped like tile-fusion's output. */
export function sampleBatch(o: {
  count: number;
  camera: 'concat' | 'brz';
  rounded?: boolean;
  emline?: boolean;
  healpix?: number;
}): SpectraBatch {
  const n = o.count;
  const npix = o.camera === 'brz' ? 7781 : 7927;
  let s = 12345 + n;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const wavelength = Float64Array.from({ length: npix }, (_, i) => 3600 + i * 0.8000000000000682);
  const f32 = Float32Array.from({ length: n * npix }, () => 1 + (rnd() - 0.5) * 0.4);
  const i32 = Float32Array.from({ length: n * npix }, () => (rnd() < 0.01 ? 0 : 20 + rnd() * 10));
  const round6 = (v: number) => Math.round(v * 1e6) / 1e6;
  const healpix = o.healpix ?? 10016;
  const emline: Record<string, Float64Array> = {};
  for (const c of EMLINE_COLUMNS)
    emline[c] = Float64Array.from({ length: n }, (_, i) =>
      c.endsWith('_ndof') ? (i % 3 === 0 ? Number.NaN : 40 + i) : i % 4 === 0 ? Number.NaN : rnd() * 10 - 2,
    );
  return {
    pixel: { survey: 'main', program: 'dark', healpix },
    specprod: 'iron',
    camera: o.camera,
    precision: o.rounded ? { mode: 'decimals', flux: 6, wavelength: 2 } : { mode: 'lossless' },
    count: n,
    targetId: BigInt64Array.from({ length: n }, (_, i) => 39627788448434509n + BigInt(i * 1001)),
    ...positions(healpix, n, rnd),
    z: Float64Array.from({ length: n }, () => 0.5 + rnd() * 3),
    zerr: Float64Array.from({ length: n }, () => rnd() * 1e-3),
    zwarn: new BigInt64Array(n),
    spectype: new Array(n).fill('QSO'),
    subtype: new Array(n).fill('LOZ'),
    deltachi2: Float64Array.from({ length: n }, () => rnd() * 100),
    rrChi2: Float64Array.from({ length: n }, () => 7000 + rnd() * 100),
    emline: o.emline === false ? undefined : emline,
    wavelength: o.rounded ? wavelength.map((v) => Math.round(v * 100) / 100) : wavelength,
    flux: o.rounded ? Float64Array.from(f32, round6) : f32,
    ivar: o.rounded ? Float64Array.from(i32, round6) : i32,
    mask: Int32Array.from({ length: n * npix }, () => (rnd() < 0.005 ? 1 << Math.floor(rnd() * 11) : 0)),
    io: { coadd: { name: `/x/coadd-main-dark-${healpix}.fits`, size: 123 } },
  };
}
