import { tableToIPC } from 'apache-arrow';
import { parquetMetadata } from 'hyparquet';
import * as pw from 'parquet-wasm';
import { EMLINE_COLUMNS, type SpectraBatch } from './input.js';
import { toArrowTable, VERSION } from './schema.js';

/** Options of {@link writeSpectraParquet} and {@link encodeSpectraParquet}. */
export interface WriteOptions {
  /** Rows per row group (default 256): bounds the writer's and readers' memory. */
  rowGroupSize?: number;
  /** Extra key-value metadata. */
  metadata?: Record<string, string>;
}

/** Default file name: `qso_data_TILE{healpix}_{count}_qsos.parquet` (the established naming). */
export function parquetFileName(healpix: number, count: number): string {
  return `qso_data_TILE${healpix}_${count}_qsos.parquet`;
}

/** Parse the count and pixel back out of a default file name. */
export function parseParquetFileName(name: string): { healpix: number; count: number } | undefined {
  const m = /qso_data_TILE(\d+)_(\d+)_qsos\.parquet$/.exec(name);
  return m ? { healpix: Number(m[1]), count: Number(m[2]) } : undefined;
}

/** Key-value metadata describing a batch: provenance, modes and the wavelength grid. */
export function batchMetadata(b: SpectraBatch, extra: Record<string, string> = {}): Record<string, string> {
  const w = b.wavelength;
  const files = Object.fromEntries(
    Object.entries(b.io ?? {}).flatMap(([k, v]) => (v ? [[k, { name: v.name.split('/').pop(), size: v.size }]] : [])),
  );
  return {
    'desi:specprod': b.specprod,
    'desi:survey': b.pixel.survey,
    'desi:program': b.pixel.program,
    'desi:healpix': String(b.pixel.healpix),
    'desi:hpx_nside': '64',
    'desi:hpx_nest': 'true',
    'desi:camera': b.camera,
    'desi:precision': JSON.stringify(b.precision),
    'desi:wavelength': JSON.stringify({ n: w.length, first: w[0] ?? null, last: w[w.length - 1] ?? null, unit: 'Angstrom', vacuum: true }),
    'desi:count': String(b.count),
    'desi:source_files': JSON.stringify(files),
    'desi:writer': `@desi/spectra-parquet ${VERSION}`,
    ...extra,
  };
}

/**
 * Writer settings, chosen by `bench/writers.ts` (see docs/decisions.md): ZSTD; dictionary encoding
 * where it pays (the repeated wavelength grid, the few mask values, strings) and BYTE_STREAM_SPLIT as
 * the fallback, which only float columns ever reach. A global BYTE_STREAM_SPLIT without dictionaries
 * would also hit the integer columns, which DuckDB cannot read.
 */
function properties(o: WriteOptions, metadata: Record<string, string>, byteStreamSplit = true): pw.WriterProperties {
  let b = new pw.WriterPropertiesBuilder()
    .setCompression(pw.Compression.ZSTD)
    // 8 KiB of dictionary holds every 11-bit SPECMASK value, so masks stay dictionary-encoded while
    // float columns give up on the dictionary early (which is what makes writing fast).
    .setDictionaryPageSizeLimit(8 * 1024)
    .setMaxRowGroupSize(o.rowGroupSize ?? 256)
    .setCreatedBy(`@desi/spectra-parquet ${VERSION}`)
    .setKeyValueMetadata(new Map(Object.entries(metadata)));
  // Top-level integer and string columns opt out of the float-only fallback by name.
  const plain = [
    'target_id',
    'zwarn',
    'healpix',
    'spectype',
    'subtype',
    'survey',
    'program',
    'specprod',
    ...EMLINE_COLUMNS.filter((c) => c.endsWith('_ndof')),
  ];
  for (const c of plain) b = b.setColumnEncoding(c, pw.Encoding.PLAIN);
  if (byteStreamSplit) b = b.setEncoding(pw.Encoding.BYTE_STREAM_SPLIT);
  return b.build();
}

/** True when an integer column chunk fell back to BYTE_STREAM_SPLIT (which DuckDB cannot read). */
function integerSplit(bytes: Uint8Array): boolean {
  const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  return meta.row_groups.some((g) =>
    g.columns.some(
      (c) => (c.meta_data?.type === 'INT32' || c.meta_data?.type === 'INT64') && c.meta_data.encodings.includes('BYTE_STREAM_SPLIT'),
    ),
  );
}

/** Encode a batch as Parquet bytes in memory. */
export function encodeSpectraParquet(batch: SpectraBatch, o: WriteOptions = {}): Uint8Array {
  const ipc = tableToIPC(toArrowTable(batch), 'stream');
  const meta = batchMetadata(batch, o.metadata);
  const bytes = pw.writeParquet(pw.Table.fromIPCStream(ipc), properties(o, meta));
  // A mask with more distinct values than the dictionary holds would fall back to byte-stream-split;
  // then write again without that fallback, so every file stays readable by DuckDB.
  if (!integerSplit(bytes)) return bytes;
  return pw.writeParquet(pw.Table.fromIPCStream(ipc), properties(o, meta, false));
}

/**
 * Write a batch to `path` atomically: the bytes go to a temporary name in the same folder, are
 * flushed, and renamed into place, so no partial file ever carries the final name.
 *
 * @example
 * await writeSpectraParquet(join(out, parquetFileName(f.pixel.healpix, f.count)), f);
 */
export async function writeSpectraParquet(
  path: string,
  batch: SpectraBatch,
  o: WriteOptions = {},
): Promise<{ path: string; rows: number; bytes: number }> {
  const { open, rename, rm, mkdir } = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  const bytes = encodeSpectraParquet(batch, o);
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  return { path, rows: batch.count, bytes: bytes.length };
}
