import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EMLINE_COLUMNS, type FusedPixel, fusePixel, pixelDir } from '../src/index.js';
import { localPixelSources } from '../src/node.js';
import { expected, HEALPIX, PIXELS, type RefRow } from './reference.js';

/** Same value, or both null/non-finite (the reference writes NaN and ±inf as null). */
function same(ours: number, ref: number | null, rel = 0): boolean {
  if (ref === null) return !Number.isFinite(ours);
  if (rel === 0) return ours === ref;
  return Math.abs(ours - ref) <= rel * Math.max(1, Math.abs(ref));
}

function firstDiff(ours: ArrayLike<number>, ref: (number | null)[], tol = 0): string | undefined {
  if (ours.length !== ref.length) return `length ${ours.length} ≠ ${ref.length}`;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i];
    const ok = r === null ? !Number.isFinite(ours[i]) : tol === 0 ? ours[i] === r : Math.abs(ours[i] - r) <= tol;
    if (!ok) return `[${i}] ${ours[i]} ≠ ${r}`;
  }
  return undefined;
}

function compare(f: FusedPixel, ref: RefRow[], spectraTol: number): string[] {
  const problems: string[] = [];
  if (f.count !== ref.length) problems.push(`count ${f.count} ≠ ${ref.length}`);
  const npix = f.wavelength.length;
  ref.forEach((r, k) => {
    const at = (s: string) => problems.push(`row ${k} (${r.target_id}): ${s}`);
    if (String(f.targetId[k]) !== String(r.target_id)) at(`target_id ${f.targetId[k]}`);
    for (const [key, ours] of [
      ['ra', f.ra[k]],
      ['dec', f.dec[k]],
      ['z', f.z[k]],
    ] as const)
      if (!same(ours, r[key], 1e-9)) at(`${key} ${ours} ≠ ${r[key]}`);
    // The reference leaves rr_chi2 null without rrdetails; ours comes from REDSHIFTS and is never null.
    if (r.rr_chi2 !== null && !same(f.rrChi2[k], r.rr_chi2, 1e-9)) at(`rr_chi2 ${f.rrChi2[k]} ≠ ${r.rr_chi2}`);
    if (!Number.isFinite(f.rrChi2[k])) at('rr_chi2 is not finite');
    const w = firstDiff(f.wavelength, r.wavelength, spectraTol && 1e-9);
    if (w) at(`wavelength ${w}`);
    for (const [key, arr] of [
      ['flux', f.flux],
      ['ivar', f.ivar],
    ] as const) {
      const d = firstDiff(arr.subarray(k * npix, (k + 1) * npix), r[key], spectraTol);
      if (d) at(`${key} ${d}`);
    }
    const m = firstDiff(f.mask.subarray(k * npix, (k + 1) * npix), r.mask_array);
    if (m) at(`mask ${m}`);
    for (const c of EMLINE_COLUMNS) {
      const key = c.toLowerCase();
      const ours = f.emline ? f.emline[key][k] : Number.NaN;
      if (!same(ours, r[key], 1e-7)) at(`${key} ${ours} ≠ ${r[key]}`);
    }
  });
  return problems;
}

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
