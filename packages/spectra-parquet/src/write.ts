import { batchColumns, checkBatch, type SpectraShape, shapeOf, spectraColumns } from './columns.js';
import type { SpectraBatch } from './input.js';
import { ParquetEncoder } from './parquet/encoder.js';
import { loadZstd, type Zstd } from './parquet/zstd.js';
import { VERSION } from './version.js';

/** Options of {@link writeSpectraParquet}, {@link encodeSpectraParquet} and {@link SpectraParquetWriter}. */
export interface WriteOptions {
  /** Rows per row group (default 256): bounds the writer's and readers' memory. */
  rowGroupSize?: number;
  /** Extra key-value metadata. */
  metadata?: Record<string, string>;
  /** ZSTD level (default 1; higher levels are slower and, on noisy spectra, barely smaller). */
  compressionLevel?: number;
  /** Target uncompressed bytes per data page of the spectra columns (default 1 MiB). */
  pageSize?: number;
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

/** The Parquet encoder of a spectra file of this shape, with the writer's options. */
function spectraEncoder(shape: SpectraShape, o: WriteOptions, zstd?: Zstd): ParquetEncoder {
  return new ParquetEncoder(spectraColumns(shape), {
    compressionLevel: o.compressionLevel,
    pageSize: o.pageSize,
    createdBy: `@desi/spectra-parquet ${VERSION}`,
    zstd,
  });
}

/** A batch's rows as encoded row groups of `rowGroupSize` (default 256), each the pieces to write. */
function* rowGroups(enc: ParquetEncoder, batch: SpectraBatch, shape: SpectraShape, o: WriteOptions): Generator<Uint8Array[]> {
  const size = Math.max(1, o.rowGroupSize ?? 256);
  for (let a = 0; a < batch.count; a += size) {
    const b = Math.min(batch.count, a + size);
    yield enc.rowGroup(batchColumns(batch, shape, a, b), b - a);
  }
}

/** Where a {@link SpectraParquetWriter}'s bytes go, in order. */
export interface ByteSinkLike {
  write(chunk: Uint8Array): void | Promise<void>;
}

/**
 * A spectra Parquet file written row group by row group: each {@link write} encodes its batch's rows
 * (in row groups of `rowGroupSize`) and hands the bytes to the sink at once, so memory stays at one
 * page buffer plus the caller's batch, whatever the file's size. The first batch fixes the schema
 * (camera, precision, grid length); the footer's metadata describes the first batch, with the total
 * count (and no pixel keys when batches from several pixels were written).
 *
 * @example
 * const w = await SpectraParquetWriter.toFile('qsos.parquet');
 * for await (const fused of pixels) await w.write(fused);
 * const { rows, bytes } = await w.close();
 */
export class SpectraParquetWriter {
  private encoder: ParquetEncoder | undefined;
  private shape: SpectraShape | undefined;
  private first: SpectraBatch | undefined;
  private mixedPixels = false;
  private bytes = 0;
  private closed = false;

  private constructor(
    private readonly sink: ByteSinkLike,
    private readonly zstd: Zstd,
    private readonly o: WriteOptions,
    private readonly onClose?: (ok: boolean) => Promise<string | undefined>,
  ) {}

  /** A writer into any sink (a stream's `write`, an array of chunks…). */
  static async toSink(sink: ByteSinkLike, o: WriteOptions = {}): Promise<SpectraParquetWriter> {
    return new SpectraParquetWriter(sink, await loadZstd(), o);
  }

  /**
   * A writer into a file, atomically: bytes go to a temporary name beside `path`; {@link close}
   * flushes and renames it into place, {@link abort} removes it.
   */
  static async toFile(path: string, o: WriteOptions = {}): Promise<SpectraParquetWriter> {
    const { open, rename, rm, mkdir } = await import('node:fs/promises');
    const { dirname } = await import('node:path');
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    const fh = await open(tmp, 'w');
    const sink = { write: (chunk: Uint8Array) => fh.write(chunk).then(() => undefined) };
    return new SpectraParquetWriter(sink, await loadZstd(), o, async (ok) => {
      try {
        if (ok) await fh.sync();
      } finally {
        await fh.close();
      }
      if (!ok) {
        await rm(tmp, { force: true });
        return undefined;
      }
      await rename(tmp, path);
      return path;
    });
  }

  /** Rows written so far. */
  get rows(): number {
    return this.encoder?.rows ?? 0;
  }

  private start(b: SpectraBatch): ParquetEncoder {
    this.shape = shapeOf(b);
    this.first = b;
    this.encoder = spectraEncoder(this.shape, this.o, this.zstd);
    return this.encoder;
  }

  private async emit(chunks: Uint8Array[]): Promise<void> {
    for (const c of chunks) {
      await this.sink.write(c);
      this.bytes += c.length;
    }
  }

  /** Append a batch's rows. Its shape must match the first batch's. */
  async write(batch: SpectraBatch): Promise<void> {
    if (this.closed) throw new Error('SpectraParquetWriter: write after close');
    checkBatch(batch);
    let enc = this.encoder;
    if (!enc) {
      enc = this.start(batch);
      await this.emit([enc.start()]);
    } else {
      const s = shapeOf(batch);
      const want = this.shape as SpectraShape;
      if (s.camera !== want.camera || s.rounded !== want.rounded || s.npix !== want.npix)
        throw new TypeError(`batch shape ${JSON.stringify(s)} differs from the file's ${JSON.stringify(want)}`);
      const p = this.first?.pixel;
      if (p && (p.healpix !== batch.pixel.healpix || p.survey !== batch.pixel.survey || p.program !== batch.pixel.program))
        this.mixedPixels = true;
    }
    for (const group of rowGroups(enc, batch, this.shape as SpectraShape, this.o)) await this.emit(group);
  }

  /** Write the footer (and, for a file, flush and rename it into place). */
  async close(): Promise<{ rows: number; bytes: number; path?: string }> {
    if (this.closed) throw new Error('SpectraParquetWriter: closed twice');
    this.closed = true;
    try {
      if (!this.encoder) throw new Error('SpectraParquetWriter: nothing was written (write a batch first, even an empty one)');
      const meta = batchMetadata({ ...(this.first as SpectraBatch), count: this.encoder.rows }, this.o.metadata);
      if (this.mixedPixels) for (const k of ['desi:healpix', 'desi:survey', 'desi:program', 'desi:source_files']) delete meta[k];
      await this.emit([this.encoder.finish(meta)]);
    } catch (e) {
      await this.onClose?.(false);
      throw e;
    }
    const path = await this.onClose?.(true);
    return { rows: this.encoder.rows, bytes: this.bytes, path };
  }

  /** Give up: a file writer removes its temporary file. */
  async abort(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.onClose?.(false);
  }
}

/**
 * Encode a batch as Parquet in memory, as the file's pieces in order (magic, pages, footer): callers
 * that write or hash them one by one never hold a second, concatenated copy. Synchronous; needs the
 * native ZSTD binding, or `await loadZstd()` once where only the WebAssembly one loads.
 *
 * @example
 * const parts = encodeSpectraParquetChunks(fused);
 * await fh.writev(parts);
 */
export function encodeSpectraParquetChunks(batch: SpectraBatch, o: WriteOptions = {}): Uint8Array[] {
  checkBatch(batch);
  const shape = shapeOf(batch);
  const enc = spectraEncoder(shape, o);
  const parts: Uint8Array[] = [enc.start()];
  for (const group of rowGroups(enc, batch, shape, o)) for (const c of group) parts.push(c);
  parts.push(enc.finish(batchMetadata(batch, o.metadata)));
  return parts;
}

/** Encode a batch as Parquet bytes in memory (one buffer; see {@link encodeSpectraParquetChunks}). */
export function encodeSpectraParquet(batch: SpectraBatch, o: WriteOptions = {}): Uint8Array {
  const parts = encodeSpectraParquetChunks(batch, o);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
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
  const w = await SpectraParquetWriter.toFile(path, o);
  try {
    await w.write(batch);
  } catch (e) {
    await w.abort();
    throw e;
  }
  const r = await w.close();
  return { path, rows: r.rows, bytes: r.bytes };
}
