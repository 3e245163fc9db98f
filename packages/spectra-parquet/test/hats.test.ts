import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetMetadata } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { finalizeHats, hatsPixelDir, parquetFileName, writeSpectraParquet } from '../src/index.js';
import { sampleBatch } from './sample.js';

describe('HATS layout', () => {
  it('pixel files under Norder/Dir/Npix, then the catalog files from finalize', async () => {
    const root = join(mkdtempSync(join(tmpdir(), 'hats-')), 'desi_qso');
    const pixels = [
      [10016, 3],
      [26280, 4],
      [49151, 2],
    ] as const;
    for (const [healpix, n] of pixels) {
      const b = sampleBatch({ count: n, camera: 'concat', healpix });
      await writeSpectraParquet(join(hatsPixelDir(root, healpix), parquetFileName(healpix, n)), b);
    }
    expect(hatsPixelDir(root, 26280)).toMatch(/dataset\/Norder=6\/Dir=20000\/Npix=26280$/);
    const r = await finalizeHats(root);
    expect(r).toMatchObject({ partitions: 3, rows: 9 });
    expect(readFileSync(join(root, 'partition_info.csv'), 'utf8')).toBe('Norder,Npix\n6,10016\n6,26280\n6,49151\n');
    const props = Object.fromEntries(
      readFileSync(join(root, 'hats.properties'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split('=')),
    );
    expect(props).toMatchObject({ hats_nrows: '9', hats_col_ra: 'ra', hats_col_dec: 'dec', hats_npix_suffix: '/', hats_version: 'v1.0' });
    // The largest partition holds 4 rows (26280); HATS counts rows, not files.
    expect(props.hats_max_rows).toBe('4');
    const read = (p: string) => {
      const b = readFileSync(p);
      return parquetMetadata(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    };
    const meta = read(join(root, 'dataset', '_metadata'));
    expect(Number(meta.num_rows)).toBe(9);
    expect(meta.row_groups.map((g) => g.columns[0].file_path)).toEqual(
      pixels.map(([h, n]) => `Norder=6/Dir=${Math.floor(h / 10000) * 10000}/Npix=${h}/${parquetFileName(h, n)}`),
    );
    const common = read(join(root, 'dataset', '_common_metadata'));
    expect(common.row_groups).toEqual([]);
    expect(common.schema.map((s) => s.name)).toContain('flux');
    // DuckDB reads the catalog with a glob and sees the partitions as hive keys.
    const c = await (await DuckDBInstance.create(':memory:')).connect();
    const rows = (
      await c.runAndReadAll(
        `select Npix, count(*)::int n from read_parquet('${root}/dataset/**/*.parquet', hive_partitioning = true) group by Npix order by Npix`,
      )
    ).getRowObjectsJS();
    expect(rows.map((x) => [Number(x.Npix), x.n])).toEqual(pixels.map(([h, n]) => [h, n]));
    const md = (await c.runAndReadAll(`select count(*)::int n from parquet_metadata('${root}/dataset/_metadata')`)).getRowObjectsJS()[0].n;
    expect(md).toBeGreaterThan(0);
  });

  it('hats_max_rows is the largest partition in rows, summed over its files, and finalize reads only footers', async () => {
    const root = join(mkdtempSync(join(tmpdir(), 'hats-')), 'desi_qso');
    // Partition 26280 in two files of 4 and 5 rows (9 in all); the others hold 3 and 2.
    const files: Array<[number, number, string]> = [
      [10016, 3, 'a'],
      [26280, 4, 'a'],
      [26280, 5, 'b'],
      [49151, 2, 'a'],
    ];
    for (const [healpix, n, tag] of files) {
      const b = sampleBatch({ count: n, camera: 'concat', healpix });
      await writeSpectraParquet(join(hatsPixelDir(root, healpix), `${tag}-${parquetFileName(healpix, n)}`), b);
    }
    // The data pages of one file overwritten: a finalize that read them would fail or miscount.
    const victim = join(hatsPixelDir(root, 10016), `a-${parquetFileName(10016, 3)}`);
    const bytes = readFileSync(victim);
    bytes.fill(0xee, 4, Math.floor(bytes.length / 2));
    writeFileSync(victim, bytes);
    const r = await finalizeHats(root);
    expect(r).toMatchObject({ partitions: 3, rows: 14 });
    const props = Object.fromEntries(
      readFileSync(join(root, 'hats.properties'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split('=')),
    );
    expect(props.hats_max_rows).toBe('9');
    expect(props.hats_nrows).toBe('14');
  });
});
