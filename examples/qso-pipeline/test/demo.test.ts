import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runDemo } from '../src/demo.js';

it('the demo converts its local archive, validates it and queries it with DuckDB', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'desi-qso-demo-'));
  try {
    const lines: string[] = [];
    const r = await runDemo({ out: join(dir, 'out'), pixels: 2, print: (l) => lines.push(l) });
    expect(r.ok).toBe(true);
    expect(r.summary).toMatchObject({ pixels_ok: 2, pixels_failed: 0 });
    expect(r.table.reduce((a, row) => a + Number(row.qsos), 0)).toBe(r.summary.qsos);
    expect(existsSync(r.report)).toBe(true);
    expect(lines.join('\n')).toMatch(/validation: 2 files, \d+ spectra: all checks passed/);
    // It never clears a folder it did not write.
    const foreign = join(dir, 'foreign');
    await mkdir(foreign);
    await writeFile(join(foreign, 'thesis.tex'), 'x');
    await expect(runDemo({ out: foreign, pixels: 1, print: () => {} })).rejects.toThrow(/not a desi-qso output/);
    expect(existsSync(join(foreign, 'thesis.tex'))).toBe(true);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 120_000);
