import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CORPUS, corpusFiles, type Ref, reference } from './harness/corpus.js';

const run = promisify(execFile);
const PROBE = join(import.meta.dirname, 'harness', 'read-all.ts');

/**
 * Every hostile file in the corpus is read in its own process, with the reference's time cap, and
 * judged by its `expect` block: error or warning where it says, words it should mention, no
 * allocation beyond the cap and no hang.
 */
async function probe(file: string, seconds: number): Promise<Ref> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--conditions=source', PROBE, join(CORPUS, file)], {
    timeout: (seconds + 10) * 1000,
    killSignal: 'SIGKILL',
    maxBuffer: 1 << 24,
  });
  return JSON.parse(stdout);
}

function mentions(text: string | undefined, words: string[]): boolean {
  const t = (text ?? '').toLowerCase();
  return words.some((w) => t.includes(w.toLowerCase()));
}

/** The first failure the probe saw and where: open, the HDU list, an HDU's data or a column. */
function failures(r: Ref): Array<{ where: string; message: string; code?: string }> {
  const out: Array<{ where: string; message: string; code?: string }> = [];
  if (!r.open.ok) out.push({ where: 'open', ...r.open });
  if (r.list && !r.list.ok) out.push({ where: `hdu:${r.list.hdu}:header`, ...r.list });
  for (const h of r.hdus) {
    for (const [name, c] of Object.entries(h.columns as Record<string, Ref>))
      if (!c.ok) out.push({ where: `hdu:${h.index}:column:${name}`, ...c });
    if (h.data && !h.data.ok && h.data.message) out.push({ where: `hdu:${h.index}:data`, ...h.data });
  }
  return out;
}

const files = corpusFiles('bad');

describe('corpus: bad files fail clearly and safely', () => {
  it.concurrent.each(files)('%s', async (file) => {
    const ref = reference(file);
    const e = ref.expect;
    const started = Date.now();
    const r = await probe(file, e.max_seconds);
    const elapsed = (Date.now() - started) / 1000;
    const fails = failures(r);
    for (const f of fails) expect(f.message, `${f.where} must be a FitsError`).not.toMatch(/^NOT A FitsError/);
    // Memory: the probe's peak RSS above a bare start must stay under the cap.
    expect(r.maxRssMb - r.baseRssMb, 'extra RSS (MB)').toBeLessThan(e.max_alloc_mb + 48);
    expect(elapsed, 'seconds (including process start)').toBeLessThan(e.max_seconds + 8);

    const whereMatches = (w: string) => {
      if (e.where === 'open') return w === 'open' || w === 'hdu:0:header';
      if (e.where.endsWith(':header') && w === 'open') return e.where === 'hdu:0:header';
      return w === e.where || w.startsWith(`${e.where}:`);
    };
    const relevant = fails.filter((f) => whereMatches(f.where));
    const warned = r.warnings.some((w: string) => mentions(w, e.mention));
    switch (e.outcome) {
      case 'error':
      case 'partial': {
        expect(
          relevant.map((f) => f.where),
          `a failure at ${e.where}; got ${JSON.stringify(fails)}`,
        ).not.toEqual([]);
        expect(
          relevant.some((f) => mentions(f.message, e.mention)),
          `message mentions one of ${e.mention}: ${relevant[0]?.message}`,
        ).toBe(true);
        for (const i of e.readable_hdus ?? []) {
          const h = r.hdus.find((x: Ref) => x.index === i);
          expect(h?.data?.ok, `HDU ${i} stays readable`).toBe(true);
        }
        break;
      }
      case 'warn':
        expect(fails, 'no error for a lenient case').toEqual([]);
        expect(warned, `a warning mentioning ${e.mention}: ${JSON.stringify(r.warnings)}`).toBe(true);
        break;
      case 'either':
        expect(relevant.some((f) => mentions(f.message, e.mention)) || warned, `error or warning mentioning ${e.mention}`).toBe(true);
        break;
    }
  });
});
