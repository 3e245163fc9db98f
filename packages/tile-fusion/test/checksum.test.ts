/**
 * CHECKSUM/DATASUM of the HDUs a fusion reads: a byte flipped in a table read whole fails the pixel
 * with a coded error naming file, HDU and keyword; one flipped in the camera arrays (read in part) is
 * caught by `verify: 'full'`. The answer is independent of our reader: the fixtures' checksums were
 * written by the reference tooling, and the damage is one byte we flip.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openFits } from '@desi/fits-reader';
import { describe, expect, it } from 'vitest';
import { FusionError, fusePixel, pixelDir } from '../src/index.js';
import { HEALPIX } from './reference.js';

const pixel = { survey: 'main', program: 'dark', healpix: 10016 };
const file = (p: 'coadd' | 'redrock' | 'emline') =>
  readFileSync(join(HEALPIX, pixelDir(pixel), `${p}-${pixel.survey}-${pixel.program}-${pixel.healpix}.fits`));

/** The file with one byte inverted in the middle of HDU `name`'s data. */
async function flipped(bytes: Uint8Array, name: string, at = 0.5): Promise<Uint8Array> {
  const info = (await (await openFits(bytes)).hdus()).find((h) => h.name?.toUpperCase() === name);
  if (!info) throw new Error(`no ${name}`);
  const out = new Uint8Array(bytes);
  out[info.dataOffset + Math.floor(info.dataSize * at)] ^= 0xff;
  return out;
}

const sources = (over: Partial<Record<'coadd' | 'redrock' | 'emline', Uint8Array>> = {}) => ({
  coadd: over.coadd ?? new Uint8Array(file('coadd')),
  redrock: over.redrock ?? new Uint8Array(file('redrock')),
  emline: over.emline ?? new Uint8Array(file('emline')),
});

describe('checksums of what fusion reads', () => {
  it('a clean pixel: every HDU read whole is verified, the camera arrays are counted as unverified', async () => {
    const f = await fusePixel(sources(), { pixel });
    // redrock REDSHIFTS + FIBERMAP, coadd FIBERMAP + 3 wavelength grids, EMLINEFIT.
    expect(f.checksums).toEqual({ verified: 7, absent: 0, unverified: 9 });
    const full = await fusePixel(sources(), { pixel, verify: 'full' });
    expect(full.checksums).toEqual({ verified: 16, absent: 0, unverified: 0 });
    const off = await fusePixel(sources(), { pixel, verify: 'off' });
    expect(off.checksums.verified).toBe(0);
  });

  it.each([
    ['redrock', 'REDSHIFTS'],
    ['redrock', 'FIBERMAP'],
    ['coadd', 'FIBERMAP'],
    ['emline', 'EMLINEFIT'],
  ] as const)('a byte flipped in %s %s fails the pixel (code checksum, naming the HDU and DATASUM)', async (product, hdu) => {
    const bad = await flipped(new Uint8Array(file(product)), hdu);
    const e = await fusePixel(sources({ [product]: bad }), { pixel }).catch((x) => x);
    expect(e).toBeInstanceOf(FusionError);
    expect((e as FusionError).code).toBe('checksum');
    expect((e as Error).message).toMatch(new RegExp(`HDU ${hdu}: DATASUM does not match`));
  });

  it("a byte flipped in the camera arrays passes 'read' (they are read in part) and fails 'full'", async () => {
    const bad = await flipped(new Uint8Array(file('coadd')), 'R_FLUX', 0.37);
    await expect(fusePixel(sources({ coadd: bad }), { pixel })).resolves.toMatchObject({ count: 9 });
    const e = await fusePixel(sources({ coadd: bad }), { pixel, verify: 'full' }).catch((x) => x);
    expect((e as FusionError).code).toBe('checksum');
    expect((e as Error).message).toMatch(/coadd-main-dark-10016|HDU R_FLUX: DATASUM/);
  });
});
