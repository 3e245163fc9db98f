/**
 * Which products a fusion reads (the selection says), and what it does with an rrdetails file that
 * is there but is not HDF5: a warning by default, a failure when asked, never nine silent "missing".
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FusionError, fusePixel, pixelDir, productRequired, productsNeeded } from '../src/index.js';
import { localPixelSources } from '../src/node.js';
import { HEALPIX, PIXELS } from './reference.js';

describe('products a selection needs', () => {
  it('redrock needs redrock and coadd; the QSO catalogue adds its afterburners, required; rrdetails on request', () => {
    expect(productsNeeded()).toEqual(['redrock', 'coadd', 'emline']);
    expect(productsNeeded({ selection: { method: 'desi-qso-catalog' }, rrdetails: true })).toEqual([
      'redrock',
      'coadd',
      'emline',
      'qso_mgii',
      'qso_qn',
      'rrdetails',
    ]);
    expect(productRequired('emline')).toBe(false);
    expect(productRequired('qso_qn')).toBe(false);
    expect(productRequired('qso_qn', { method: 'desi-qso-catalog' })).toBe(true);
    expect(productRequired('coadd')).toBe(true);
  });

  it('the QSO catalogue selection without its afterburner files fails, naming the file', async () => {
    const { sources } = localPixelSources(join(HEALPIX, pixelDir(PIXELS[0])));
    const e = await fusePixel({ ...sources, qso_qn: undefined }, { selection: { method: 'desi-qso-catalog' } }).catch((x) => x);
    expect(e).toBeInstanceOf(FusionError);
    expect(e.code).toBe('missing-file');
  });
});

describe('an rrdetails file that is not HDF5', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rrdetails-'));
  const fake = join(dir, 'rrdetails-main-dark-10016.h5');
  writeFileSync(fake, 'SIMPLE  =                    T / not HDF5 at all\n'.repeat(200));
  const sources = { ...localPixelSources(join(HEALPIX, pixelDir(PIXELS[0]))).sources, rrdetails: fake };

  it('fuses the pixel without the fits and says why in warnings', async () => {
    const f = await fusePixel(sources, { rrdetails: true });
    expect(f.count).toBe(PIXELS[0].qsos);
    expect(f.rrFits).toBeUndefined();
    expect(f.missing).not.toContain('rrdetails');
    expect(f.warnings.join('\n')).toMatch(/not an HDF5 file/);
  });

  it("fails the pixel with FusionError bad-file under rrdetailsErrors: 'fail'", async () => {
    const e = await fusePixel(sources, { rrdetails: true, rrdetailsErrors: 'fail' }).catch((x) => x);
    expect(e).toBeInstanceOf(FusionError);
    expect([e.code, e.file]).toEqual(['bad-file', fake]);
  });
});
