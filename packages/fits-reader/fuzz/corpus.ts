import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Seed } from './mutate.js';

const HERE = import.meta.dirname;
/** The repo's own corpus (always there) and the shared one beside the repo (when present). */
export const DEFAULT_CORPUS_DIRS = [
  join(HERE, '..', 'test', 'fixtures', 'corpus', 'gen'),
  join(HERE, '..', 'test', 'fixtures', 'corpus', 'peer'),
  join(HERE, '..', '..', '..', '..', 'shared', 'fits-corpus', 'gen'),
  join(HERE, '..', '..', '..', '..', 'shared', 'fits-corpus', 'peer'),
];

/**
 * The good FITS files under `dirs` (folders that do not exist are skipped), each once by content,
 * in a stable order so a seed names the same mutants everywhere. Files larger than `maxBytes` are
 * left out: a mutant is read whole several ways, and the point is many mutants, not big ones.
 */
export function loadSeeds(dirs: readonly string[] = DEFAULT_CORPUS_DIRS, maxBytes = 1 << 20): Seed[] {
  const seen = new Set<string>();
  const seeds: Seed[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    const walk = (d: string) => {
      for (const name of readdirSync(d).sort()) {
        const p = join(d, name);
        const st = statSync(p);
        if (st.isDirectory()) walk(p);
        else if (/\.(fits|fit|fts|fz|fits\.gz)$/i.test(name) && st.size <= maxBytes) {
          const bytes = new Uint8Array(readFileSync(p));
          const hash = createHash('sha256').update(bytes).digest('hex');
          if (seen.has(hash)) continue;
          seen.add(hash);
          seeds.push({ name: `${relative(join(dir, '..'), p)}`, bytes });
        }
      }
    };
    walk(dir);
  }
  seeds.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return seeds;
}
