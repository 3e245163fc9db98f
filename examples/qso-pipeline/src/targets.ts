/**
 * `desi-qso index` and `desi-qso spectra`: a TARGETID index of the archive (one row per target: its
 * coadd, row and camera offsets), and the spectra of any targets read straight from the archive with it.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { TargetIndexRecord } from '@desi/spectra-parquet/writer';
import {
  type FusedPixel,
  fileName,
  indexPixel,
  type PixelSources,
  type Precision,
  type ProductInput,
  pixelDir,
  readTargets,
  type TargetIndexRow,
} from '@desi/tile-fusion';
import type { ConvertOptions } from './convert.js';
import { shardPlan } from './convert.js';
import { failureOf } from './failure.js';
import { rangeSources } from './inputs.js';
import { runPool } from './pool.js';
import type { PixelTask } from './tasks.js';

type S3Package = typeof import('@desi/s3-fetch');

/**
 * tile-fusion's index row and spectra-parquet's index record describe the same file without importing
 * each other; this fails to compile if either drifts from the other.
 */
export const INDEX_ROW_MATCHES_RECORD: [(r: TargetIndexRow) => TargetIndexRecord, (r: TargetIndexRecord) => TargetIndexRow] = [
  (r) => r,
  (r) => r,
];

/** Options of {@link buildIndex}. */
export type IndexOptions = Pick<
  ConvertOptions,
  'source' | 'endpoint' | 'filter' | 'manifest' | 'shard' | 'retry' | 'timeouts' | 'rangeTransport'
> & {
  /** The index file to write. Pixels already indexed (their parts in `<out>.parts/`) are not read again. */
  out: string;
  workers?: number;
  print?: (line: string) => void;
};

/** What an index run did. */
export interface IndexSummary {
  pixels_total: number;
  pixels_indexed: number;
  pixels_skipped: number;
  pixels_failed: number;
  targets: number;
  /** Bytes read from redrock and coadd files (headers, two FIBERMAP columns, REDSHIFTS). */
  bytes_read: number;
  seconds: number;
  failures: Array<{ pixel: string; error: string; code?: string }>;
  warnings: Array<{ pixel: string; warning: string }>;
}

/** JSON of index rows (bigints as text). */
const toJson = (rows: TargetIndexRow[]) => JSON.stringify(rows, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
const fromJson = (text: string): TargetIndexRow[] =>
  JSON.parse(text, (_, v) => (typeof v === 'string' && /^-?\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v));

/**
 * Index every pixel of a source: each pixel's rows go to `<out>.parts/<pixel>.json` as it finishes (so a
 * re-run resumes), then all parts become one Parquet index at `out`, sorted by TARGETID.
 */
export async function buildIndex(o: IndexOptions): Promise<IndexSummary> {
  const started = performance.now();
  const print = o.print ?? ((l: string) => console.log(l));
  const remote = /^(s3|https?):\/\//.test(o.source);
  const s3 = remote ? await import('@desi/s3-fetch') : undefined;
  const client = s3?.createPublicClient({ endpoint: o.endpoint, timeouts: o.timeouts });
  const { tasks, rejected } = await shardPlan(o as ConvertOptions, { s3, client });
  const parts = `${o.out}.parts`;
  await mkdir(parts, { recursive: true });
  const done = new Set((await readdir(parts)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)));
  const summary: IndexSummary = {
    pixels_total: tasks.length + rejected.length,
    pixels_indexed: 0,
    pixels_skipped: 0,
    pixels_failed: rejected.length,
    targets: 0,
    bytes_read: 0,
    seconds: 0,
    failures: rejected.map((r) => ({ pixel: r.entry, error: r.error, code: 'bad-manifest-entry' })),
    warnings: [],
  };
  print(`desi-qso index: ${tasks.length} pixels from ${o.source} → ${o.out}`);
  await runPool(tasks, o.workers ?? 16, async (task) => {
    const part = join(parts, `${task.id.replace(/\//g, '_')}.json`);
    if (done.has(task.id.replace(/\//g, '_'))) {
      summary.pixels_skipped++;
      return;
    }
    try {
      const r = await indexTask(task, o, s3, client);
      const { writeAtomic } = await import('./atomic.js');
      await writeAtomic(part, toJson(r.rows));
      summary.pixels_indexed++;
      summary.bytes_read += r.bytes;
      for (const w of r.warnings) summary.warnings.push({ pixel: task.id, warning: w });
    } catch (e) {
      const f = failureOf(e);
      summary.pixels_failed++;
      summary.failures.push({ pixel: task.id, error: f.message, code: f.code });
      print(`  FAILED ${task.id}: ${f.message}`);
    }
  });
  summary.targets = await mergeIndexParts(o.out);
  summary.seconds = (performance.now() - started) / 1000;
  print(
    `done: ${summary.pixels_indexed} indexed, ${summary.pixels_skipped} already, ${summary.pixels_failed} failed; ${summary.targets} targets; ${(summary.bytes_read / 1e6).toFixed(1)} MB read in ${summary.seconds.toFixed(1)} s`,
  );
  return summary;
}

/**
 * Write the index at `out` from the pixels' parts in `<out>.parts/`. The parts stay: they are the
 * resumable state (a re-run skips the pixels they hold, and a convert that skips journalled pixels
 * still finds their rows there). Returns the number of rows.
 */
export async function mergeIndexParts(out: string): Promise<number> {
  const parts = `${out}.parts`;
  const rows: TargetIndexRow[] = [];
  for (const f of (await readdir(parts)).filter((x) => x.endsWith('.json')).sort())
    rows.push(...fromJson(await readFile(join(parts, f), 'utf8')));
  const { writeTargetIndex } = await import('@desi/spectra-parquet/writer');
  await mkdir(dirname(out), { recursive: true });
  await writeTargetIndex(rows, out);
  return rows.length;
}

/** Index one pixel from sources already open (convert --index-out) into `<out>.parts/`. */
export async function indexPart(task: PixelTask, sources: PixelSources, out: string): Promise<void> {
  const r = await indexPixel({ redrock: sources.redrock as ProductInput, coadd: sources.coadd as ProductInput }, indexOptions(task));
  const { writeAtomic } = await import('./atomic.js');
  await writeAtomic(join(`${out}.parts`, `${task.id.replace(/\//g, '_')}.json`), toJson(r.rows));
}

function indexOptions(task: PixelTask) {
  const dir = pixelDir(task.pixel).replace(/\/$/, '');
  const coaddRef = task.files.coadd;
  return {
    pixel: task.pixel,
    files: {
      coadd: `${dir}/${fileName('coadd', task.pixel)}`,
      emline: task.files.emline ? `${dir}/${fileName('emline', task.pixel)}` : undefined,
    },
    coaddEtag: coaddRef?.kind === 's3' ? coaddRef.etag : undefined,
  };
}

/** One pixel's rows, from its redrock and coadd (ranged reads for remote files). */
async function indexTask(task: PixelTask, o: IndexOptions, s3: S3Package | undefined, client: S3Client | undefined) {
  const sources = await rangeSources(task, ['redrock', 'coadd'], o, s3, client);
  return indexPixel({ redrock: sources.redrock as ProductInput, coadd: sources.coadd as ProductInput }, indexOptions(task));
}

/** Options of {@link readSpectra}. */
export interface SpectraOptions {
  /** The index file (a local path or s3:// URI). */
  index: string;
  targetIds: bigint[];
  /** The archive's HEALPix root the index's paths are below (a folder or s3:// prefix; default DR1's). */
  source: string;
  endpoint?: string;
  camera?: 'concat' | 'brz';
  precision?: Precision;
  out: string;
}

/**
 * Read targets' spectra through the index and write them as the product's Parquet: rows grouped by
 * file (pixel), files in the order of their first id, ids in the order asked within a file.
 */
export async function readSpectra(
  o: SpectraOptions,
): Promise<{ rows: number; unknown: bigint[]; bytes: number; requests: number; seconds: number }> {
  const started = performance.now();
  // DESI_QSO_TIMING=1 prints where a run's time goes (start-up, index, reads, writing) to stderr.
  const mark = process.env.DESI_QSO_TIMING
    ? (what: string) => console.error(`${(performance.now() - started).toFixed(0).padStart(6)} ms ${what}`)
    : () => {};
  // Range reads go out as plain HTTP (no SDK loaded, which is most of a cold start): the index gives
  // every file's size and ETag, so no HEAD is needed.
  const remote = /^(s3|https?):\/\//.test(o.source) || o.index.startsWith('s3://');
  const range = remote ? await import('@desi/s3-fetch/range') : undefined;
  const { openTargetIndex, SpectraParquetWriter } = await import('@desi/spectra-parquet/writer');
  mark('modules loaded');
  const index = await openTargetIndex(await openBytes(o.index, range, o.endpoint));
  mark('index opened');
  const root = range && o.source.startsWith('s3://') ? range.parseLocation(o.source) : undefined;
  const sources = async (file: string, pin: { etag?: string; size: number }): Promise<ProductInput> => {
    if (!root || !range) return join(o.source, file);
    const location = { bucket: root.bucket, key: `${root.key.replace(/\/?$/, '/')}${file}` };
    // A file of unknown size (an index built from a local tree) needs a HEAD, so the SDK.
    const client = pin.size ? undefined : (await import('@desi/s3-fetch')).createPublicClient({ endpoint: o.endpoint });
    // Pinned to the ETag the index recorded: a changed file fails instead of mixing versions.
    const coadd = /\/coadd-[^/]+$/.test(file);
    return range.S3RangeSource.open(client, location, {
      size: pin.size || undefined,
      etag: pin.etag,
      // A coadd's rows have exact, known ranges: no read-ahead, gaps merged only when tiny (the bytes
      // stay the rows' own), many in flight (each is a round trip). An emline file is opened through
      // its headers: read ahead so the two headers come in one request.
      maxGap: coadd ? 1024 : 64 << 10,
      minRead: coadd ? 1 : 64 << 10,
      concurrency: coadd ? 96 : 8,
      objectUrl: range.publicObjectUrl(location, { endpoint: o.endpoint }),
    });
  };
  // One batch per file: the writer's cost is per batch (a row group each), and 1,000 ids in random order make ~800 runs.
  const r = await readTargets(index, o.targetIds, { camera: o.camera, precision: o.precision, sources, groupBy: 'file' });
  mark(`spectra read (${r.reads} requests)`);
  const writer = await SpectraParquetWriter.toFile(o.out);
  try {
    for (const g of r.groups as FusedPixel[]) await writer.write(g);
    await writer.close();
  } catch (e) {
    await writer.abort();
    throw e;
  }
  mark('written');
  const rows = r.groups.reduce((a, g) => a + g.count, 0);
  return { rows, unknown: r.unknown, bytes: r.bytes, requests: r.reads, seconds: (performance.now() - started) / 1000 };
}

/** The index file's bytes: a local file, or an S3 object read by ranges. */
async function openBytes(path: string, range: typeof import('@desi/s3-fetch/range') | undefined, endpoint?: string) {
  if (path.startsWith('s3://') && range) {
    const location = range.parseLocation(path);
    const { createPublicClient } = await import('@desi/s3-fetch');
    return range.S3RangeSource.open(createPublicClient({ endpoint }), location, {
      objectUrl: range.publicObjectUrl(location, { endpoint }),
    });
  }
  const { FileSource } = await import('@desi/fits-reader/node');
  return FileSource.open(path);
}
