import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

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
