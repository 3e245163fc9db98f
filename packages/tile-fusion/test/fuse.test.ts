import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fusePixel, pixelDir } from '../src/index.js';
import { localPixelSources } from '../src/node.js';
import { compare, expected, HEALPIX, PIXELS } from './reference.js';

describe('fusePixel matches the reference converter', () => {
  it.each(PIXELS)('$survey/$program/$healpix: concat, established rounding', async (p) => {
    const { pixel, sources } = localPixelSources(join(HEALPIX, pixelDir(p)));
    const f = await fusePixel(sources, { pixel, precision: { mode: 'decimals' } });
    expect(f.count).toBe(p.qsos);
    if (f.count) expect(f.wavelength.length).toBe(7927);
    // Python's round() reproduced exactly: no tolerance needed.
    expect(compare(f, expected(p), 0).join('\n')).toBe('');
  });

  it.each(PIXELS)('$survey/$program/$healpix: concat, lossless float32 rounds to the reference exactly', async (p) => {
    const { pixel, sources } = localPixelSources(join(HEALPIX, pixelDir(p)));
    const f = await fusePixel(sources, { pixel });
    expect(f.flux).toBeInstanceOf(Float32Array);
    const { pyRound } = await import('../src/index.js');
    const ref = expected(p);
    const rounded = {
      ...f,
      flux: Float64Array.from(f.flux, (v) => pyRound(v, 6)),
      ivar: Float64Array.from(f.ivar, (v) => pyRound(v, 6)),
      wavelength: f.wavelength.map((v) => pyRound(v, 2)),
    };
    expect(compare(rounded, ref, 0).join('\n')).toBe('');
  });

  it.each(PIXELS)('$survey/$program/$healpix: brz camera merge, bit for bit', async (p) => {
    const { pixel, sources } = localPixelSources(join(HEALPIX, pixelDir(p)));
    const f = await fusePixel(sources, { pixel, camera: 'brz' });
    if (f.count) expect(f.wavelength.length).toBe(7781);
    expect(compare(f, expected(p, true), 0).join('\n')).toBe('');
  });
});
