/**
 * The specialised writer read back by three independent Parquet readers (DuckDB, hyparquet,
 * parquet-wasm): every column type, special floats, zero- and one-row files, many pages and row
 * groups, the streaming form, both ZSTD back-ends, and the footer statistics.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import * as pw from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import { batchColumns, shapeOf, spectraColumns } from '../src/columns.js';
import { EMLINE_COLUMNS, encodeSpectraParquet, type SpectraBatch, SpectraParquetWriter } from '../src/index.js';
import { ParquetEncoder } from '../src/parquet/encoder.js';
import { loadWasmZstd, zstdSync } from '../src/parquet/zstd.js';
import { sampleBatch } from './sample.js';

const dir = mkdtempSync(join(tmpdir(), 'spectra-writer-'));
const db = await (await DuckDBInstance.create(':memory:')).connect();

type Row = Record<string, unknown>;

async function duckRows(bytes: Uint8Array): Promise<Row[]> {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.parquet`);
  (await import('node:fs')).writeFileSync(path, bytes);
  return (
    await db.runAndReadAll(`select * from read_parquet('${path}', file_row_number = true) order by file_row_number`)
  ).getRowObjectsJS();
}

async function hypRows(bytes: Uint8Array): Promise<Row[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return parquetReadObjects({ file, compressors });
}

function wasmRows(bytes: Uint8Array): Row[] {
  const t = tableFromIPC(pw.readParquet(bytes).intoIPCStream());
  return t.toArray().map((r) => {
    const o = r.toJSON() as Row;
    for (const k of ['wavelength', 'flux', 'ivar', 'mask_array']) o[k] = Array.from((o[k] as { toArray(): ArrayLike<number> }).toArray());
    return o;
  });
}

/** What a reader must give for row k of a batch, column by column (NaN → null where the column is nullable). */
function expected(b: SpectraBatch, k: number): Row {
  const npix = b.wavelength.length;
  const orNull = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? null : v);
  const row: Row = {
    target_id: b.targetId[k],
    ra: b.ra[k],
    dec: b.dec[k],
    z: b.z[k],
    zerr: orNull(b.zerr?.[k]),
    zwarn: b.zwarn ? b.zwarn[k] : null,
    spectype: b.spectype?.[k] ?? null,
    subtype: b.subtype?.[k] ?? null,
    deltachi2: orNull(b.deltachi2?.[k]),
    rr_chi2: orNull(b.rrChi2?.[k]),
    wavelength: Array.from(b.camera === 'brz' ? Float32Array.from(b.wavelength) : b.wavelength),
    flux: Array.from(b.flux.subarray(k * npix, (k + 1) * npix)),
    ivar: Array.from(b.ivar.subarray(k * npix, (k + 1) * npix)),
    mask_array: Array.from(b.mask.subarray(k * npix, (k + 1) * npix)),
    survey: b.pixel.survey,
    program: b.pixel.program,
    healpix: b.pixel.healpix,
    specprod: b.specprod,
  };
  for (const c of EMLINE_COLUMNS) {
    const v = orNull(b.emline?.[c][k]);
    row[c] = v === null || c.endsWith('_ndof') ? v : Math.fround(v);
  }
  return row;
}

/** Compare a reader's row with the expectation; numbers by identity (NaN, -0 and ±inf included). */
function same(reader: string, got: Row, want: Row): void {
  for (const [k, w] of Object.entries(want)) {
    let g = got[k];
    if (typeof w === 'bigint' || typeof g === 'bigint') {
      expect(g === null ? null : BigInt(g as bigint), `${reader} ${k}`).toBe(w);
      continue;
    }
    if (Array.isArray(w)) {
      g = Array.from(g as ArrayLike<number>);
      const ga = g as number[];
      expect(ga.length, `${reader} ${k} length`).toBe(w.length);
      for (let i = 0; i < w.length; i++) if (!Object.is(ga[i], w[i])) expect(ga[i], `${reader} ${k}[${i}]`).toBe(w[i]);
      continue;
    }
    expect(Object.is(g, w) || g === w, `${reader} ${k}: ${String(g)} vs ${String(w)}`).toBe(true);
  }
}

async function allReaders(bytes: Uint8Array, b: SpectraBatch): Promise<void> {
  const readers: Array<[string, Row[]]> = [
    ['duckdb', await duckRows(bytes)],
    ['hyparquet', await hypRows(bytes)],
    ['parquet-wasm', wasmRows(bytes)],
  ];
  for (const [name, rows] of readers) {
    expect(rows.length, name).toBe(b.count);
    for (let k = 0; k < b.count; k++) same(name, rows[k], expected(b, k));
  }
}

/** A batch with every special float value in the spectra and the nullable columns. */
function specialBatch(): SpectraBatch {
  const b = sampleBatch({ count: 5, camera: 'brz' });
  const specials = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, 3.4028234663852886e38, 1.401298464324817e-45];
  specials.forEach((v, i) => {
    b.flux[i * 13] = v;
    b.ivar[i * 17 + 1] = v;
  });
  (b.zerr as Float64Array)[1] = Number.NaN; // → null
  (b.zerr as Float64Array)[2] = Number.POSITIVE_INFINITY; // stays infinite
  (b.deltachi2 as Float64Array)[3] = -0;
  b.zwarn = BigInt64Array.from([0n, -1n, 2n ** 62n, -(2n ** 63n), 2n ** 63n - 1n]);
  b.spectype = ['QSO', 'GALAXY', 'Ünïcødé ✓', '', 'QSO'];
  b.mask[7] = -2147483648;
  b.mask[8] = 2147483647;
  return b;
}

describe('the specialised spectra writer', () => {
  it.each([
    ['concat lossless', () => sampleBatch({ count: 6, camera: 'concat' })],
    ['brz lossless', () => sampleBatch({ count: 4, camera: 'brz' })],
    ['concat decimals (float64 spectra)', () => sampleBatch({ count: 3, camera: 'concat', rounded: true })],
    [
      'no emline, no optional columns',
      () => ({
        ...sampleBatch({ count: 3, camera: 'concat', emline: false }),
        zerr: undefined,
        zwarn: undefined,
        spectype: undefined,
        subtype: undefined,
        deltachi2: undefined,
        rrChi2: undefined,
      }),
    ],
    ['special floats, extreme integers, unicode', specialBatch],
    ['one row', () => sampleBatch({ count: 1, camera: 'brz' })],
  ])('%s: DuckDB, hyparquet and parquet-wasm read back every value', async (_, make) => {
    const b = make() as SpectraBatch;
    await allReaders(encodeSpectraParquet(b), b);
  });

  it('a zero-row file has the full schema in all three readers', async () => {
    const b = sampleBatch({ count: 0, camera: 'brz' });
    const bytes = encodeSpectraParquet(b);
    await allReaders(bytes, b);
    const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    expect(meta.schema.map((s) => s.name)).toContain('oii_flux');
    const arrowSchema = tableFromIPC(pw.readParquet(bytes).intoIPCStream()).schema;
    expect(arrowSchema.fields.map((f) => f.name)).toContain('mask_array');
  });

  it('small pages and row groups split at row boundaries and read back whole', async () => {
    const b = sampleBatch({ count: 9, camera: 'concat' });
    const bytes = encodeSpectraParquet(b, { rowGroupSize: 4, pageSize: 40_000 });
    const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    expect(meta.row_groups.map((g) => Number(g.num_rows))).toEqual([4, 4, 1]);
    await allReaders(bytes, b);
  });

  it('statistics give each row group the min and max a reader computes from the values', async () => {
    const b = specialBatch();
    const path = join(dir, 'stats.parquet');
    (await import('node:fs')).writeFileSync(path, encodeSpectraParquet(b));
    const stats = (
      await db.runAndReadAll(
        `select path_in_schema p, stats_min_value mn, stats_max_value mx, stats_null_count nc from parquet_metadata('${path}')`,
      )
    ).getRowObjectsJS();
    const of = (p: string) => stats.find((s) => s.p === p) as Row;
    const direct = (
      await db.runAndReadAll(
        `select min(target_id)::varchar a, max(target_id)::varchar b, min(zwarn)::varchar c, max(zwarn)::varchar d, count(*) - count(zerr) e from read_parquet('${path}')`,
      )
    ).getRowObjectsJS()[0];
    expect(of('target_id').mn).toBe(direct.a);
    expect(of('target_id').mx).toBe(direct.b);
    expect(of('zwarn').mn).toBe(direct.c);
    expect(of('zwarn').mx).toBe(direct.d);
    expect(Number(of('zerr').nc)).toBe(Number(direct.e));
    // +inf is a value and bounds the column (DuckDB shows no infinite bound, so read the footer directly).
    const raw = readFileSync(path);
    const zerr = parquetMetadata(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength) as ArrayBuffer).row_groups[0].columns[4];
    expect(zerr.meta_data?.path_in_schema).toEqual(['zerr']);
    expect(zerr.meta_data?.statistics?.max_value).toBe(Number.POSITIVE_INFINITY);
    expect(zerr.meta_data?.statistics?.min_value).toBe(Math.min(...Array.from(b.zerr as Float64Array).filter((v) => !Number.isNaN(v))));
    // -0 bounds a column whose smallest value is a zero.
    const d2 = parquetMetadata(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength) as ArrayBuffer).row_groups[0].columns[8];
    expect(Object.is(d2.meta_data?.statistics?.min_value, -0)).toBe(Math.min(...Array.from(b.deltachi2 as Float64Array)) === 0);
    // Filters use them: a target_id outside the range reads no row.
    const none = (await db.runAndReadAll(`select count(*)::int n from read_parquet('${path}') where target_id = 1`)).getRowObjectsJS()[0];
    expect(none.n).toBe(0);
  });

  it('the WebAssembly zstd fallback writes files that read back equal', async () => {
    const b = sampleBatch({ count: 3, camera: 'concat' });
    const shape = shapeOf(b);
    const enc = new ParquetEncoder(spectraColumns(shape), { zstd: await loadWasmZstd() });
    const parts = [enc.start(), ...enc.rowGroup(batchColumns(b, shape, 0, 3), 3), enc.finish()];
    const bytes = new Uint8Array(Buffer.concat(parts));
    expect(zstdSync()?.backend).toBe('native');
    await allReaders(bytes, b);
  });
});

describe('SpectraParquetWriter (streaming)', () => {
  it('writes batches as row groups into a file, renamed into place only at close', async () => {
    const sub = mkdtempSync(join(dir, 'stream-'));
    const path = join(sub, 'many.parquet');
    const batches = [10017, 10018, 10019].map((h, i) => sampleBatch({ count: 3 + i, camera: 'brz', healpix: h }));
    const w = await SpectraParquetWriter.toFile(path, { rowGroupSize: 2 });
    for (const b of batches) await w.write(b);
    expect(readdirSync(sub).some((f) => f === 'many.parquet')).toBe(false);
    const r = await w.close();
    expect(r.rows).toBe(12);
    const bytes = new Uint8Array(readFileSync(path));
    expect(r.bytes).toBe(bytes.length);
    const meta = parquetMetadata(bytes.buffer.slice(0) as ArrayBuffer);
    expect(meta.row_groups.map((g) => Number(g.num_rows))).toEqual([2, 1, 2, 2, 2, 2, 1]);
    const kv = Object.fromEntries((meta.key_value_metadata ?? []).map((e) => [e.key, e.value]));
    expect(kv['desi:count']).toBe('12');
    expect(kv['desi:healpix']).toBeUndefined(); // rows of several pixels: no single pixel claimed
    const rows = await duckRows(bytes);
    let k = 0;
    for (const b of batches) for (let i = 0; i < b.count; i++) same('duckdb', rows[k++], expected(b, i));
  });

  it('refuses a batch of another shape, and abort leaves nothing behind', async () => {
    const sub = mkdtempSync(join(dir, 'abort-'));
    const w = await SpectraParquetWriter.toFile(join(sub, 'x.parquet'));
    await w.write(sampleBatch({ count: 2, camera: 'brz' }));
    await expect(w.write(sampleBatch({ count: 2, camera: 'concat' }))).rejects.toThrow(/differs/);
    await w.abort();
    expect(readdirSync(sub)).toEqual([]);
  });

  it('writes into any sink', async () => {
    const chunks: Uint8Array[] = [];
    const b = sampleBatch({ count: 2, camera: 'concat' });
    const w = await SpectraParquetWriter.toSink({ write: (c) => void chunks.push(c.slice()) });
    await w.write(b);
    await w.close();
    const bytes = new Uint8Array(Buffer.concat(chunks));
    expect(Buffer.from(bytes).equals(Buffer.from(encodeSpectraParquet(b)))).toBe(true);
    await allReaders(bytes, b); // and what the sink got is a file three readers read back equal
  });
});
