import type { ColumnData, HduInfo } from '@desi/fits-reader';
import { assembleCameras } from '../assemble/assemble.js';
import type { CameraData, Spectra } from '../assemble/spectra.js';
import { CAMERAS, HDU } from '../datamodel.js';
import { FusionError } from '../errors.js';
import type { FuseOptions } from '../fuse.js';
import { type Cols, columnsOf, f64, i64, indexOf, int32View } from '../io/columns.js';
import type { OpenProduct } from '../io/sources.js';
import type { Checks, Where } from './checks.js';

/** What step 3 reads from the coadd. */
export interface CoaddRead {
  cams: CameraData[];
  /** COADD_FIBERSTATUS of the coadd FIBERMAP (brz only). */
  fiberstatus?: ArrayLike<number>;
  /** The coadd row of each selected target. */
  crow: number[];
}

/** Step 3: the coadd rows of the selected targets, every camera's HDUs checked, then all twelve arrays read at once. */
export async function readCameras(
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
export function assembleSpectra(read: CoaddRead, count: number, camera: 'concat' | 'brz', options: FuseOptions): Spectra {
  const st = read.fiberstatus as ArrayLike<number>;
  return assembleCameras(read.cams, count, camera, () => read.crow.map((r) => Number(st[r])), options.wavelengthRange);
}
