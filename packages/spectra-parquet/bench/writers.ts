/**
 * `pnpm bench` (spectra-parquet): every candidate writer on the same 1000 spectra (brz, 7781 float32
 * pixels: smooth continuum + noise of the stated ivar, sparse mask bits), measured in one run:
 * write time, spectra per second, bytes per spectrum, and whether DuckDB and hyparquet read every
 * value back. The established product (list<double> rounded to 6 decimals) is measured beside it.
 *
 *   pnpm --filter @desi/spectra-parquet bench [--spectra 1000]
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import * as arrow from 'apache-arrow';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { parquetWriteBuffer } from 'hyparquet-writer';
import * as pw from 'parquet-wasm';
import { batchColumns, shapeOf, spectraColumns } from '../src/columns.js';
import { EMLINE_COLUMNS, encodeSpectraParquet, loadZstd, type SpectraBatch, toArrowTable } from '../src/index.js';
import { ParquetEncoder } from '../src/parquet/encoder.js';
import { loadWasmZstd } from '../src/parquet/zstd.js';

const { values } = parseArgs({ options: { spectra: { type: 'string', default: '1000' } } });
const n = Number(values.spectra);
const npix = 7781;
let s = 42;
const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
const wavelength = Float64Array.from({ length: npix }, (_, i) => 3600 + i * 0.8000000000000682);
const flux = new Float32Array(n * npix);
const ivar = new Float32Array(n * npix);
const mask = new Int32Array(n * npix);
for (let t = 0; t < n; t++) {
  const amp = 0.5 + rnd() * 3;
  const zl = 4000 + rnd() * 5000;
  for (let k = 0; k < npix; k++) {
    const i = t * npix + k;
    const w = wavelength[k];
    ivar[i] = rnd() < 0.005 ? 0 : 4 + 20 * Math.exp(-(((w - 6500) / 2500) ** 2));
    const sigma = ivar[i] > 0 ? 1 / Math.sqrt(ivar[i]) : 0;
    flux[i] = amp * (1 + 0.3 * Math.sin(w / 700)) + 6 * Math.exp(-(((w - zl) / 15) ** 2)) + sigma * gauss();
    if (rnd() < 0.003) mask[i] = 1 << Math.floor(rnd() * 11);
  }
}
const batch: SpectraBatch = {
  pixel: { survey: 'main', program: 'dark', healpix: 10016 },
  specprod: 'iron',
  camera: 'brz',
  precision: { mode: 'lossless' },
  count: n,
  targetId: BigInt64Array.from({ length: n }, (_, i) => 39627788448434509n + BigInt(i)),
  ra: Float64Array.from({ length: n }, () => 150 + rnd()),
  dec: Float64Array.from({ length: n }, () => 2 + rnd()),
  z: Float64Array.from({ length: n }, () => rnd() * 4),
  wavelength,
  flux,
  ivar,
  mask,
};
const round6 = (v: number) => Math.round(v * 1e6) / 1e6;
const established: SpectraBatch = {
  ...batch,
  camera: 'concat',
  precision: { mode: 'decimals' },
  wavelength: wavelength.map((v) => Math.round(v * 100) / 100),
  flux: Float64Array.from(flux, round6),
  ivar: Float64Array.from(ivar, round6),
};

const dir = mkdtempSync(join(tmpdir(), 'writers-'));
const ipcOf = (b: SpectraBatch) => arrow.tableToIPC(toArrowTable(b), 'stream');
const pwWrite = (b: SpectraBatch, props: () => pw.WriterProperties) => () => pw.writeParquet(pw.Table.fromIPCStream(ipcOf(b)), props());

/** The specialised writer with another compressor (the WebAssembly zstd, as where the binding cannot load). */
const wasmZstd = await loadWasmZstd();
await loadZstd();
const withZstd =
  (b: SpectraBatch, zstd: typeof wasmZstd, level = 3) =>
  () => {
    const shape = shapeOf(b);
    const enc = new ParquetEncoder(spectraColumns(shape), { zstd, compressionLevel: level });
    const parts = [enc.start()];
    for (let a = 0; a < b.count; a += 256)
      parts.push(...enc.rowGroup(batchColumns(b, shape, a, Math.min(b.count, a + 256)), Math.min(b.count, a + 256) - a));
    parts.push(enc.finish());
    return Buffer.concat(parts);
  };
/** The previous writer (parquet-wasm, dictionary with BYTE_STREAM_SPLIT fallback), kept for comparison. */
const previousProps = () => {
  let b = new pw.WriterPropertiesBuilder()
    .setCompression(pw.Compression.ZSTD)
    .setDictionaryPageSizeLimit(8 * 1024)
    .setMaxRowGroupSize(256);
  for (const c of [
    'target_id',
    'zwarn',
    'healpix',
    'spectype',
    'subtype',
    'survey',
    'program',
    'specprod',
    ...EMLINE_COLUMNS.filter((c) => c.endsWith('_ndof')),
  ])
    b = b.setColumnEncoding(c, pw.Encoding.PLAIN);
  return b.setEncoding(pw.Encoding.BYTE_STREAM_SPLIT).build();
};

const candidates: Array<{ name: string; write: () => Uint8Array; data: SpectraBatch }> = [
  {
    name: 'ours: specialised writer, BYTE_STREAM_SPLIT + ZSTD-1 (native binding)',
    write: () => encodeSpectraParquet(batch),
    data: batch,
  },
  { name: 'specialised writer, ZSTD-3 (native binding)', write: () => encodeSpectraParquet(batch, { compressionLevel: 3 }), data: batch },
  { name: 'specialised writer, ZSTD-1 (WebAssembly zstd fallback)', write: withZstd(batch, wasmZstd, 1), data: batch },
  {
    name: 'previous: parquet-wasm ZSTD, dictionary + BYTE_STREAM_SPLIT fallback (floats only)',
    write: pwWrite(batch, previousProps),
    data: batch,
  },
  {
    name: 'parquet-wasm ZSTD, default encodings',
    write: pwWrite(batch, () => new pw.WriterPropertiesBuilder().setCompression(pw.Compression.ZSTD).build()),
    data: batch,
  },
  {
    name: 'parquet-wasm ZSTD, global BYTE_STREAM_SPLIT, no dictionary',
    write: pwWrite(batch, () =>
      new pw.WriterPropertiesBuilder()
        .setCompression(pw.Compression.ZSTD)
        .setEncoding(pw.Encoding.BYTE_STREAM_SPLIT)
        .setDictionaryEnabled(false)
        .setColumnEncoding('target_id', pw.Encoding.PLAIN)
        .setColumnEncoding('healpix', pw.Encoding.PLAIN)
        .setColumnEncoding('spectype', pw.Encoding.PLAIN)
        .setColumnEncoding('subtype', pw.Encoding.PLAIN)
        .setColumnEncoding('survey', pw.Encoding.PLAIN)
        .setColumnEncoding('program', pw.Encoding.PLAIN)
        .setColumnEncoding('specprod', pw.Encoding.PLAIN)
        .build(),
    ),
    data: batch,
  },
  {
    name: 'hyparquet-writer SNAPPY, BYTE_STREAM_SPLIT on flux/ivar',
    write: () => {
      const rows = (a: ArrayLike<number>) =>
        Array.from({ length: n }, (_, t) => Array.from((a as Float32Array).subarray(t * npix, (t + 1) * npix)));
      const list = (name: string, type: string) => [
        { name, repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', type, repetition_type: 'REQUIRED' },
      ];
      return new Uint8Array(
        parquetWriteBuffer({
          columnData: [
            { name: 'target_id', data: batch.targetId },
            { name: 'wavelength', data: Array.from({ length: n }, () => Array.from(wavelength)) },
            { name: 'flux', data: rows(flux), encoding: 'BYTE_STREAM_SPLIT' },
            { name: 'ivar', data: rows(ivar), encoding: 'BYTE_STREAM_SPLIT' },
            { name: 'mask_array', data: rows(mask) },
          ],
          schema: [
            { name: 'root', num_children: 5 },
            { name: 'target_id', type: 'INT64', repetition_type: 'REQUIRED' },
            ...list('wavelength', 'DOUBLE'),
            ...list('flux', 'FLOAT'),
            ...list('ivar', 'FLOAT'),
            ...list('mask_array', 'INT32'),
          ],
        } as never),
      );
    },
    data: batch,
  },
  { name: 'ours, established rounded list<double> (decimals)', write: () => encodeSpectraParquet(established), data: established },
  {
    name: 'established: list<double> rounded to 6 decimals, parquet-wasm ZSTD',
    write: pwWrite(established, () => new pw.WriterPropertiesBuilder().setCompression(pw.Compression.ZSTD).build()),
    data: established,
  },
  {
    name: 'established: list<double> rounded to 6 decimals, parquet-wasm SNAPPY',
    write: pwWrite(established, () => new pw.WriterPropertiesBuilder().setCompression(pw.Compression.SNAPPY).build()),
    data: established,
  },
];

const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const sumFlux = (b: SpectraBatch) => Array.from(b.flux).reduce((a, v) => a + v, 0);
const line = (x: string[]) => console.log(`| ${x.join(' | ')} |`);
console.log(`\n${n} spectra × ${npix} pixels (brz), float32 flux/ivar, int32 mask; median of 3 writes\n`);
line(['writer', 'write s', 'spectra/s', 'KiB / spectrum', 'DuckDB reads equal', 'hyparquet reads equal']);
line(['---', '---:', '---:', '---:', '---', '---']);
for (const cand of candidates) {
  cand.write();
  const times: number[] = [];
  let bytes: Uint8Array = new Uint8Array(0);
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    bytes = cand.write();
    times.push((performance.now() - t0) / 1000);
  }
  const t = times.sort((a, b) => a - b)[1];
  const path = join(dir, `${Math.random()}.parquet`);
  writeFileSync(path, bytes);
  const duck = await c
    .runAndReadAll(`select count(*)::int n, sum(list_sum(flux)) f, sum(list_sum(mask_array))::bigint m from read_parquet('${path}')`)
    .then((r) => {
      const row = r.getRowObjectsJS()[0];
      const m = Array.from(cand.data.mask).reduce((a, v) => a + v, 0);
      return row.n === n && Math.abs(Number(row.f) - sumFlux(cand.data)) < 1e-6 * n * npix && Number(row.m) === m
        ? 'yes'
        : 'NO (values differ)';
    })
    .catch((e) => `NO: ${String(e).split('\n')[0].slice(0, 60)}`);
  let hyp = 'yes';
  try {
    const rows = await parquetReadObjects({
      file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
      compressors,
      rowStart: 0,
      rowEnd: 3,
      columns: ['flux'],
    });
    for (let r = 0; r < 3; r++) {
      const want = Array.from(cand.data.flux.subarray(r * npix, (r + 1) * npix));
      if (JSON.stringify(Array.from(rows[r].flux as number[])) !== JSON.stringify(want)) hyp = 'NO (values differ)';
    }
  } catch (e) {
    hyp = `NO: ${String(e).slice(0, 60)}`;
  }
  line([cand.name, t.toFixed(3), Math.round(n / t).toString(), (bytes.length / n / 1024).toFixed(2), duck, hyp]);
}
c.closeSync();
