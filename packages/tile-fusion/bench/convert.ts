/**
 * One whole-process conversion of the benchmark pixel (bundled by run.ts and run with plain node):
 * fusePixel in the established product's mode, then the arrays written out. Prints a JSON summary.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fusePixel } from '../src/index.js';

const [dir, mode = 'decimals'] = process.argv.slice(2);
const t0 = performance.now();
const f = await fusePixel(
  { coadd: join(dir, 'coadd-main-dark-99999.fits'), redrock: join(dir, 'redrock-main-dark-99999.fits') },
  {
    pixel: { survey: 'main', program: 'dark', healpix: 99999 % 49152 },
    precision: mode === 'decimals' ? { mode: 'decimals' } : { mode: 'lossless' },
  },
);
const out = join(dir, 'out_ours');
mkdirSync(out, { recursive: true });
for (const [name, a] of Object.entries({
  targetid: f.targetId,
  z: f.z,
  wavelength: f.wavelength,
  flux: f.flux,
  ivar: f.ivar,
  mask: f.mask,
})) {
  writeFileSync(join(out, `${name}.bin`), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}
const bytesRead = Object.values(f.io).reduce((a, p) => a + (p?.bytes ?? 0), 0);
const fileBytes = Object.values(f.io).reduce((a, p) => a + (p?.size ?? 0), 0);
console.log(JSON.stringify({ count: f.count, npix: f.wavelength.length, bytesRead, fileBytes, seconds: (performance.now() - t0) / 1000 }));
