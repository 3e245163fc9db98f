/**
 * One whole-process conversion of the benchmark pixel, Parquet file included (bundled by pixel.ts and
 * run with plain node): fusePixel, encodeSpectraParquet, then an atomic write, as `desi-qso convert`
 * does per pixel. Prints a JSON summary line.
 */
import { join } from 'node:path';
import { encodeSpectraParquet, parquetFileName } from '@desi/spectra-parquet';
import { fusePixel } from '@desi/tile-fusion';
import { writeAtomic } from '../src/atomic.js';

async function main(): Promise<void> {
  const [dir, mode = 'lossless'] = process.argv.slice(2);
  const t0 = performance.now();
  const f = await fusePixel(
    { coadd: join(dir, 'coadd-main-dark-99999.fits'), redrock: join(dir, 'redrock-main-dark-99999.fits') },
    {
      pixel: { survey: 'main', program: 'dark', healpix: 99999 % 49152 },
      precision: mode === 'decimals' ? { mode: 'decimals' } : { mode: 'lossless' },
    },
  );
  const bytes = encodeSpectraParquet(f);
  const out = join(dir, 'out_ours', parquetFileName(f.pixel.healpix, f.count));
  await writeAtomic(out, bytes, 'bench');
  const bytesRead = Object.values(f.io).reduce((a, p) => a + (p?.bytes ?? 0), 0);
  const fileBytes = Object.values(f.io).reduce((a, p) => a + (p?.size ?? 0), 0);
  console.log(
    JSON.stringify({
      count: f.count,
      npix: f.wavelength.length,
      bytesRead,
      fileBytes,
      parquetBytes: bytes.length,
      seconds: (performance.now() - t0) / 1000,
    }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
