import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
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
    await expect(runDemo({ out: foreign, pixels: 1, print: () => {} })).rejects.toThrow(/not a desi-qso demo output/);
    expect(existsSync(join(foreign, 'thesis.tex'))).toBe(true);
    // Nor a real conversion's folder (journal and log included) with a notebook in it.
    const real = join(dir, 'real');
    await mkdir(join(real, 'main', 'dark'), { recursive: true });
    for (const f of ['.desi-qso-journal.jsonl', 'desi-qso.log', 'main/dark/qso_data_TILE1_2_qsos.parquet', 'analysis.ipynb'])
      await writeFile(join(real, f), 'x');
    await expect(runDemo({ out: real, pixels: 1, print: () => {} })).rejects.toThrow(/not a desi-qso demo output/);
    expect((await readdir(real, { recursive: true })).length).toBe(6);
    // A demo folder run again: the demo's own files are replaced, a file the user added stays.
    const mine = join(r.out, 'main', 'notes.txt');
    await writeFile(mine, 'keep me');
    const again = await runDemo({ out: r.out, pixels: 1, print: () => {} });
    expect(again.ok).toBe(true);
    expect(await readFile(mine, 'utf8')).toBe('keep me');
    const parquet = (await readdir(r.out, { recursive: true })).filter((f) => f.endsWith('.parquet'));
    expect(parquet.length).toBe(1); // the second pixel's file of the first run was the demo's: removed
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 120_000);
