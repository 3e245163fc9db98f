import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openFits } from '../src/index.js';
import { writeFits } from '../src/writer.js';

/**
 * Tile-compressed tables made by CFITSIO's fpack from tables we write: every column type fpack
 * compresses (RICE_1 on integers, GZIP_2 on floats and 64-bit integers, GZIP_1 on bytes, strings and
 * logicals), several row tiles, unsigned columns whose TZERO must not touch the stored bytes.
 */
const dir = mkdtempSync(join(tmpdir(), 'ztable-'));

function table(n: number) {
  return [
    { name: 'B', data: Uint8Array.from({ length: n }, (_, i) => i % 256) },
    { name: 'I', data: Int16Array.from({ length: n * 3 }, (_, i) => ((i * 37) % 30000) - 15000), cellShape: [3] },
    { name: 'J', data: Int32Array.from({ length: n }, (_, i) => i * 1000 - 7) },
    { name: 'U', data: Uint32Array.from({ length: n }, (_, i) => (i * 2654435761) >>> 0) },
    { name: 'K', data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 123456789012n) },
    { name: 'E', data: Float32Array.from({ length: n }, (_, i) => Math.sin(i)) },
    { name: 'D', data: Float64Array.from({ length: n * 2 }, (_, i) => Math.cos(i) * 1e10), cellShape: [2] },
    { name: 'S', data: Array.from({ length: n }, (_, i) => ['QSO', 'GALAXY', 'STAR'][i % 3]), width: 6 },
    { name: 'L', data: Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : i % 2 === 0)) },
  ];
}

describe('tile-compressed tables (fpack -table)', () => {
  it.each([2500, 250_000])('%i rows read back equal, whole and by rows', async (n) => {
    const plain = join(dir, `t${n}.fits`);
    const columns = table(n);
    writeFileSync(
      plain,
      writeFits([
        { type: 'image', data: new Uint8Array(0), shape: [0] },
        { type: 'table', name: 'T', numRows: n, columns },
      ]),
    );
    execFileSync('fpack', ['-table', plain], { stdio: 'ignore' });
    const fits = await openFits(`${plain}.fz`);
    const info = (await fits.hdus())[1];
    expect(info.kind).toBe('compressed-table');
    expect(info.numRows).toBe(n);
    expect(info.columns?.map((c) => c.name)).toEqual(columns.map((c) => c.name));
    const t = await fits.readTable('T');
    for (const c of columns)
      expect(Array.from(t.columns[c.name] as ArrayLike<unknown>), c.name).toEqual(Array.from(c.data as ArrayLike<unknown>));
    const rows = [n - 1, 0, Math.floor(n / 2)];
    const sub = await fits.readTable('T', { rows, columns: ['U', 'S'] });
    expect(Array.from(sub.columns.U as Uint32Array)).toEqual(rows.map((r) => (columns[3].data as Uint32Array)[r]));
    expect(sub.columns.S).toEqual(rows.map((r) => (columns[7].data as string[])[r]));
    const raw = await fits.rawHeader('T');
    expect(raw.get('ZTABLE')).toBe(true);
    expect((await fits.header('T')).get('NAXIS2')).toBe(n);
    await fits.close();
  });
});
