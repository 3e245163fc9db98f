import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { describe, expect, it } from 'vitest';
import { EMLINE_COLUMNS, parquetFileName, type SpectraBatch, writeSpectraParquet } from '../src/index.js';
import { sampleBatch } from './sample.js';

const dir = mkdtempSync(join(tmpdir(), 'spectra-parquet-'));

async function duck() {
  return (await DuckDBInstance.create(':memory:')).connect();
}

async function hyparquetRows(path: string) {
  const bytes = readFileSync(path);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return parquetReadObjects({ file, compressors });
}

describe('writeSpectraParquet', () => {
  it.each([
    ['concat, lossless float32', sampleBatch({ count: 7, camera: 'concat' })],
    ['brz, lossless float32', sampleBatch({ count: 5, camera: 'brz' })],
    ['concat, rounded decimals (float64)', sampleBatch({ count: 4, camera: 'concat', rounded: true })],
    ['without emline', sampleBatch({ count: 3, camera: 'concat', emline: false })],
  ])('%s: DuckDB and hyparquet read back every value', async (_, b) => {
    const path = join(dir, parquetFileName(b.pixel.healpix, b.count).replace('.parquet', `-${b.camera}-${Math.random()}.parquet`));
    const res = await writeSpectraParquet(path, b);
    expect(res.rows).toBe(b.count);
    const c = await duck();
    const rows = (
      await c.runAndReadAll(`select * from read_parquet('${path}', file_row_number = true) order by file_row_number`)
    ).getRowObjectsJS();
    const hyp = await hyparquetRows(path);
    expect(rows.length).toBe(b.count);
    expect(hyp.length).toBe(b.count);
    const npix = b.wavelength.length;
    for (let k = 0; k < b.count; k++) {
      for (const r of [rows[k], hyp[k]] as Record<string, unknown>[]) {
        expect(BigInt(r.target_id as bigint)).toBe(b.targetId[k]);
        expect(r.ra).toBe(b.ra[k]);
        expect(r.z).toBe(b.z[k]);
        expect(r.spectype).toBe(b.spectype?.[k]);
        const grid = b.camera === 'brz' ? Array.from(Float32Array.from(b.wavelength)) : Array.from(b.wavelength);
        expect(Array.from(r.wavelength as number[])).toEqual(grid);
        expect(Array.from(r.flux as number[])).toEqual(Array.from(b.flux.subarray(k * npix, (k + 1) * npix)));
        expect(Array.from(r.ivar as number[])).toEqual(Array.from(b.ivar.subarray(k * npix, (k + 1) * npix)));
        expect(Array.from(r.mask_array as number[])).toEqual(Array.from(b.mask.subarray(k * npix, (k + 1) * npix)));
        expect(r.healpix).toBe(b.pixel.healpix);
        for (const col of EMLINE_COLUMNS) {
          const src = b.emline?.[col][k];
          const want = src === undefined || Number.isNaN(src) ? null : col.endsWith('_ndof') ? src : Math.fround(src);
          expect(r[col], col).toBe(want);
        }
      }
    }
    const kv = (await c.runAndReadAll(`select decode(key) k, decode(value) v from parquet_kv_metadata('${path}')`)).getRowObjectsJS();
    const meta = Object.fromEntries(kv.map((r) => [r.k, r.v]));
    expect(meta['desi:healpix']).toBe(String(b.pixel.healpix));
    expect(meta['desi:camera']).toBe(b.camera);
    expect(JSON.parse(String(meta['desi:wavelength'])).n).toBe(npix);
  });

  it('a zero-row pixel writes a valid file with the full schema', async () => {
    const b = sampleBatch({ count: 0, camera: 'concat' });
    const path = join(dir, parquetFileName(b.pixel.healpix, 0));
    await writeSpectraParquet(path, b);
    const c = await duck();
    const n = (await c.runAndReadAll(`select count(*)::int n from read_parquet('${path}')`)).getRowObjectsJS()[0].n;
    expect(n).toBe(0);
    const cols = (await c.runAndReadAll(`describe select * from read_parquet('${path}')`)).getRowObjectsJS().map((r) => r.column_name);
    expect(cols).toContain('flux');
    expect(cols).toContain('oii_flux');
  });

  it('DuckDB queries a folder of files with one glob', async () => {
    const sub = mkdtempSync(join(dir, 'glob-'));
    const batches: SpectraBatch[] = [1, 2, 3].map((i) => sampleBatch({ count: 2 + i, camera: 'concat', healpix: 10000 + i }));
    for (const b of batches) await writeSpectraParquet(join(sub, parquetFileName(b.pixel.healpix, b.count)), b);
    const c = await duck();
    const r = (
      await c.runAndReadAll(
        `select healpix, count(*)::int n, avg(len(flux))::int npix, round(avg(list_extract(flux, 100)), 6) f100 from read_parquet('${sub}/*.parquet') group by healpix order by healpix`,
      )
    ).getRowObjectsJS();
    expect(r.map((x) => x.n)).toEqual([3, 4, 5]);
    expect(r.every((x) => x.npix === 7927)).toBe(true);
    const un = (
      await c.runAndReadAll(`select count(*)::int n from (select unnest(mask_array) m from read_parquet('${sub}/*.parquet')) where m != 0`)
    ).getRowObjectsJS()[0].n;
    const want = batches.reduce((a, b) => a + Array.from(b.mask).filter((m) => m !== 0).length, 0);
    expect(un).toBe(want);
  });

  it('never leaves a partial file under the final name', async () => {
    const sub = mkdtempSync(join(dir, 'atomic-'));
    const b = sampleBatch({ count: 3, camera: 'concat' });
    const bad = { ...b, flux: b.flux.subarray(0, 10) };
    await expect(writeSpectraParquet(join(sub, 'x.parquet'), bad)).rejects.toThrow();
    expect(readdirSync(sub)).toEqual([]);
  });
});

describe('byte-stream-split never reaches integer columns', () => {
  it('a mask with thousands of distinct values is still readable by DuckDB', async () => {
    const b = sampleBatch({ count: 4, camera: 'concat' });
    for (let i = 0; i < b.mask.length; i++) b.mask[i] = (i * 2654435761) % 100000;
    const path = join(dir, 'many-masks.parquet');
    await writeSpectraParquet(path, b);
    const c = await duck();
    const r = (await c.runAndReadAll(`select sum(list_sum(mask_array))::bigint m from read_parquet('${path}')`)).getRowObjectsJS()[0];
    expect(Number(r.m)).toBe(Array.from(b.mask).reduce((a, v) => a + v, 0));
  });
});
