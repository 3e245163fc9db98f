import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { EMLINE_COLUMNS, type FusedPixel } from '../src/index.js';

export const FIX = join(import.meta.dirname, 'fixtures');
export const HEALPIX = join(FIX, 'dr1', 'spectro', 'redux', 'iron', 'healpix');

export const PIXELS = [
  { survey: 'main', program: 'dark', healpix: 10016, qsos: 9 },
  { survey: 'main', program: 'dark', healpix: 26280, qsos: 10 },
  { survey: 'sv3', program: 'bright', healpix: 17683, qsos: 0 },
] as const;

// biome-ignore lint/suspicious/noExplicitAny: reference rows are loosely typed JSON
export type RefRow = Record<string, any>;

/** The reference converter's JSON lines for a pixel (`brz` for the camera-merge reference). */
export function expected(p: { survey: string; program: string; healpix: number }, brz = false): RefRow[] {
  const text = gunzipSync(
    readFileSync(join(FIX, 'expected', `${p.survey}-${p.program}-${p.healpix}${brz ? '.brz' : ''}.jsonl.gz`)),
  ).toString('utf8');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      // JSON numbers lose int64 precision: keep TARGETID's digits as text.
      const row = JSON.parse(l);
      row.target_id = /"target_id":\s*(-?\d+)/.exec(l)?.[1];
      return row;
    });
}

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

/** Every difference between a fused record and the reference converter's rows, as readable lines. */
export function compare(f: FusedPixel, ref: RefRow[], spectraTol: number): string[] {
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
