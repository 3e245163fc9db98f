import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeParquet, parquetFileName, writeSpectraParquet } from '../src/index.js';
import { sampleBatch } from './sample.js';

async function folderWithGoodFiles() {
  const dir = mkdtempSync(join(tmpdir(), 'analyze-'));
  for (const [i, camera] of [
    [1, 'concat'],
    [2, 'concat'],
    [3, 'concat'],
  ] as const) {
    const b = sampleBatch({ count: 2 + i, camera, healpix: 20000 + i });
    await writeSpectraParquet(join(dir, parquetFileName(b.pixel.healpix, b.count)), b);
  }
  return dir;
}

describe('analyzeParquet', () => {
  it('passes good files and reports sizes and compression', async () => {
    const dir = await folderWithGoodFiles();
    const r = await analyzeParquet([dir]);
    expect(r.problems).toEqual([]);
    expect(r.files.map((f) => f.problems)).toEqual([[], [], []]);
    expect(r.ok).toBe(true);
    expect(r.totals.rows).toBe(3 + 4 + 5);
    for (const f of r.files) {
      expect(f.npix).toBe(7927);
      expect(f.compressionRatio).toBeGreaterThan(1);
    }
  });

  it('catches a truncated file', async () => {
    const dir = await folderWithGoodFiles();
    const name = parquetFileName(20001, 3);
    const bytes = readFileSync(join(dir, name));
    writeFileSync(join(dir, name), bytes.subarray(0, bytes.length - 100));
    const r = await analyzeParquet([dir]);
    expect(r.ok).toBe(false);
    expect(r.files.find((f) => f.path.endsWith(name))?.problems.join()).toMatch(/unreadable/);
  });

  it('catches a count in the name that is not the row count', async () => {
    const dir = await folderWithGoodFiles();
    copyFileSync(join(dir, parquetFileName(20002, 4)), join(dir, parquetFileName(20002, 9)));
    const r = await analyzeParquet([dir]);
    expect(r.ok).toBe(false);
    expect(r.files.find((f) => f.path.endsWith(parquetFileName(20002, 9)))?.problems.join()).toMatch(/promises 9 rows, the file has 4/);
  });

  it('catches mixed schemas', async () => {
    const dir = await folderWithGoodFiles();
    const b = sampleBatch({ count: 2, camera: 'concat', rounded: true, healpix: 20009 });
    await writeSpectraParquet(join(dir, parquetFileName(20009, 2)), b);
    const r = await analyzeParquet([dir]);
    expect(r.ok).toBe(false);
    expect(r.problems.join()).toMatch(/schema differs/);
  });

  it('catches a row in the wrong pixel', async () => {
    const dir = await folderWithGoodFiles();
    const b = sampleBatch({ count: 3, camera: 'concat', healpix: 20004 });
    b.ra[1] = (b.ra[1] + 30) % 360;
    await writeSpectraParquet(join(dir, parquetFileName(20004, 3)), b);
    const r = await analyzeParquet([dir]);
    expect(r.files.find((f) => f.path.endsWith(parquetFileName(20004, 3)))?.problems.join()).toMatch(
      /1 rows lie outside HEALPix pixel 20004/,
    );
  });

  it('catches non-monotonic wavelength in brz mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'analyze-bad-'));
    const b = sampleBatch({ count: 2, camera: 'brz', healpix: 20005 });
    b.wavelength[100] = b.wavelength[99] - 1;
    await writeSpectraParquet(join(dir, parquetFileName(20005, 2)), b);
    const r = await analyzeParquet([dir]);
    expect(r.files[0].problems.join()).toMatch(/not monotonic/);
  });
});
