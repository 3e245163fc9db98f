import { appendFile, mkdir, readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { RequestTimeouts, RetryPolicy } from '@desi/s3-fetch';
import { hatsPixelDir, parquetFileName } from '@desi/spectra-parquet/writer';
import {
  type ChecksumTally,
  type FuseOptions,
  FusionError,
  fusePixel,
  newTally,
  type PixelSources,
  type Precision,
  type Product,
  type Selection,
} from '@desi/tile-fusion';
import { writeAtomic } from './atomic.js';
import { defaultEncodeThreads, EncodePool } from './encode-pool.js';
import { rangeSources, stageDownloads } from './inputs.js';
import { watchInterrupts } from './interrupts.js';
import { Journal } from './journal.js';
import { MemoryBudget, spectraEstimate, tablesEstimate } from './memory-budget.js';
import { planTasks, type RejectedEntry } from './plan.js';
import { inputIdentity, outputOptions, productsWanted, removeIfUnchanged, sha256, staleReason, verified } from './provenance.js';
import { acquireRunLock, processAlive } from './run-lock.js';
import { type Shard, shardOf } from './shard.js';
import type { PixelTask, TaskFilter } from './tasks.js';

/** DR1's HEALPix pixels across all surveys and programs (for projections). */
export const DR1_PIXELS = 12207;

/** Options of {@link convert}; the CLI flags map onto these one to one. */
export interface ConvertOptions {
  /** `s3://bucket/prefix`, an `https://` archive URL, or a local mirror of the HEALPix tree. */
  source: string;
  /** A local folder or an `s3://bucket/prefix`. */
  out: string;
  /** Another S3 server (tests, other archives). */
  endpoint?: string;
  /** `direct` (default): range reads, nothing staged; `download`: stage whole files, convert, delete. */
  mode?: 'direct' | 'download';
  workDir?: string;
  camera?: 'concat' | 'brz';
  precision?: Precision;
  selection?: Selection;
  filter?: TaskFilter;
  /** A manifest of pixel directories (CSV, JSON lines or plain lines of keys/URLs). */
  manifest?: string;
  tilesPerBatch?: number;
  maxBatches?: number;
  /**
   * Pixels converted at once (default 16 in direct mode, where each pixel waits on many small round
   * trips, and 4 in download mode, which is bandwidth-bound).
   */
  workers?: number;
  shard?: Shard;
  layout?: 'flat' | 'hats';
  /**
   * How direct mode sends its ranged GETs: `fetch` (default: plain unsigned HTTP through undici, a
   * quarter of the SDK's client CPU per request) or `sdk` (S3 SDK commands). Input is always read anonymously.
   */
  rangeTransport?: 'fetch' | 'sdk';
  /**
   * Threads that encode Parquet while the main thread reads and fuses the next pixels (default: the
   * cores less one, at most 4; 0 encodes on the main thread).
   */
  encodeThreads?: number;
  /**
   * Checksums: `read` (default) checks CHECKSUM/DATASUM of every HDU read whole; `full` also reads
   * the camera arrays whole to check them (their bytes). Download mode checks every HDU of every
   * staged file whole in any case (the bytes are on disk). A mismatch fails the pixel (code `checksum`).
   */
  verify?: 'read' | 'full' | 'off';
  /** Read rrdetails for rr_chi2 details (an HDF5 file fetched whole; off by default so both modes give the same output). */
  rrdetails?: boolean;
  /** Append progress lines here as well as printing them (default `<out>/desi-qso.log` for a local out). */
  logFile?: string;
  /** Print lines (default console.log). */
  print?: (line: string) => void;
  /** A live progress line on a TTY. */
  progressBar?: boolean;
  /**
   * Memory for the pixels in flight, in MiB (default 512): a pixel reserves its tables when it starts
   * and its spectra once its selection is known, and waits while the budget is spent, whatever the
   * worker count. The process itself (Node, modules, threads) comes on top, about 100–150 MiB.
   */
  memoryBudgetMiB?: number;
  /** How long a failing request to the archive is retried (default: a 120 s window, so a minute-long outage is ridden out). */
  retry?: RetryPolicy;
  /** Connect, first-byte and idle timeouts of every request to the archive (default 10 s, 30 s, 30 s). */
  timeouts?: RequestTimeouts;
  /**
   * Handle SIGINT and SIGTERM: stop taking pixels, let those in flight finish, log "interrupted" and
   * return the summary (a second signal exits at once). The CLI sets it.
   */
  handleSignals?: boolean;
}

/** The summary file's content (a stable interface: scripts read these keys). */
export interface ConvertSummary {
  pixels_total: number;
  pixels_ok: number;
  pixels_failed: number;
  pixels_skipped: number;
  qsos: number;
  /** FITS bytes fetched (direct) or downloaded (download mode). */
  bytes_read: number;
  bytes_written: number;
  seconds: number;
  batches: number;
  pixels_per_hour: number;
  projected_dr1_hours: number;
  mode: 'direct' | 'download';
  shard?: string;
  failures: Array<{ pixel: string; error: string; code?: string }>;
  /** HDUs whose CHECKSUM/DATASUM matched. */
  hdus_verified?: number;
  /** HDUs read in part and so not checked (the camera arrays, unless --verify full or download mode). */
  hdus_unverified?: number;
  /** HDUs checked but carrying neither keyword. */
  hdus_without_checksum?: number;
  /** Set when the run stopped early: a signal (`interrupted`) or a full disk (`disk-full`). */
  stopped?: 'interrupted' | 'disk-full';
  /** The signal that interrupted the run. */
  signal?: string;
  /** Pixels the run never started because it stopped. */
  pixels_not_started?: number;
  /** The most pixels in flight at once (the memory budget and the worker count bound it). */
  pixels_in_flight_max?: number;
  /** The most memory reserved at once by pixels in flight, in MiB (their estimates). */
  memory_reserved_max_mib?: number;
}

interface PixelOutcome {
  id: string;
  status: 'ok' | 'failed' | 'skipped';
  qsos: number;
  bytesRead: number;
  bytesWritten: number;
  error?: string;
  /** The error's code (a FusionError's, or a system error's such as ENOSPC). */
  code?: string;
  checksums?: { verified: number; absent: number; unverified: number };
}

const MB = (n: number) => (n / 1e6).toFixed(1);
const MiB = 1 << 20;

/** The relative output path of a pixel's file. */
export function outputPath(task: PixelTask, count: number, layout: 'flat' | 'hats'): string {
  const name = parquetFileName(task.pixel.healpix, count);
  if (layout === 'hats') return join(hatsPixelDir(`${task.pixel.survey}_${task.pixel.program}`, task.pixel.healpix), name);
  return join(task.pixel.survey, task.pixel.program, name);
}

/**
 * Convert DR1 HEALPix pixels to Parquet: discover (listing, a local tree or a manifest), keep this
 * shard's pixels, skip those the journal has verified, and convert the rest in batches, each pixel
 * independently (a failure is recorded and the batch goes on).
 */
export async function convert(o: ConvertOptions): Promise<ConvertSummary> {
  const started = performance.now();
  // The launcher at the start, so that one killed during discovery is noticed too.
  const parent = process.ppid;
  const mode = o.mode ?? 'direct';
  const print = o.print ?? ((l: string) => console.log(l));
  const isLocal = !/^(s3|https?):\/\//.test(o.source);
  // The S3 side (SDK, transports) loads only for a run that reads or writes S3.
  const s3 = !isLocal || o.out.startsWith('s3://') ? await import('@desi/s3-fetch') : undefined;
  const s3Out = s3 && o.out.startsWith('s3://') ? s3.parseLocation(o.out) : undefined;
  const client = s3?.createPublicClient({ endpoint: o.endpoint, timeouts: o.timeouts });
  const outClient = s3Out
    ? s3?.createPublicClient({
        endpoint: o.endpoint,
        // Writing needs credentials: the usual AWS chain, or placeholders for a local test server that has none.
        credentials: o.endpoint && !process.env.AWS_ACCESS_KEY_ID ? { accessKeyId: 'local', secretAccessKey: 'local' } : 'default',
      })
    : undefined;

  // 1. What to convert (a bad source stops here; a bad manifest entry fails alone).
  const plan = await planTasks({ source: o.source, filter: o.filter, manifest: o.manifest, s3, client, retry: o.retry });
  let tasks = plan.tasks;
  if (o.shard) {
    const { index, count } = o.shard;
    tasks = tasks.filter((t) => shardOf(t.id, count) === index);
    // A refused entry belongs to one shard too, so that it is reported once across them.
    plan.rejected = plan.rejected.filter((r) => shardOf(r.entry, count) === index);
  }
  // 2. The output folder: created only now (a bad source leaves nothing behind), locked for this run.
  const logFile = o.logFile ?? (s3Out ? undefined : join(o.out, 'desi-qso.log'));
  let release = async () => {};
  if (!s3Out) {
    await mkdir(o.out, { recursive: true });
    release = await acquireRunLock(o.out, runTag(o.shard));
  }
  try {
    if (!s3Out) await removeLeftovers(o.out, runTag(o.shard));
    return await runTasks(o, { started, parent, mode, print, logFile, s3, s3Out, client, outClient, tasks, rejected: plan.rejected });
  } finally {
    await release();
  }
}

/** What {@link convert} has settled before the pixels run. */
interface RunSetup {
  started: number;
  /** The parent process when the run started. */
  parent: number;
  mode: 'direct' | 'download';
  print: (line: string) => void;
  logFile: string | undefined;
  s3: typeof import('@desi/s3-fetch') | undefined;
  s3Out: { bucket: string; key: string } | undefined;
  client: S3Client | undefined;
  outClient: S3Client | undefined;
  tasks: PixelTask[];
  rejected: RejectedEntry[];
}

/** Why a run stopped before its last pixel. */
type StopReason = 'interrupted' | 'disk-full';

async function runTasks(o: ConvertOptions, setup: RunSetup): Promise<ConvertSummary> {
  const { started, parent, mode, print, logFile, s3, s3Out, client, outClient, tasks } = setup;
  const plan = { rejected: setup.rejected };
  // A log that cannot be written (a full disk) is said once and does not stop the run's own handling.
  let logBroken = false;
  const log = async (line: string) => {
    print(line);
    if (!logFile || logBroken) return;
    await appendFile(logFile, `${new Date().toISOString()} ${line}\n`).catch((e: Error) => {
      logBroken = true;
      print(`(cannot write the log ${logFile}: ${e.message})`);
    });
  };
  const journal = await Journal.open(s3Out ? join(o.workDir ?? '.desi-qso', 'journal.jsonl') : join(o.out, '.desi-qso-journal.jsonl'));
  await log(
    `desi-qso convert: ${tasks.length} pixels from ${o.source} (${mode} mode${o.shard ? `, shard ${o.shard.index}/${o.shard.count} from ${o.shard.source}` : ''}) → ${o.out}`,
  );
  for (const r of plan.rejected) await log(`  REJECTED ${r.error}`);
  const stale = tasks.map((t) => staleReason(t, o, journal)).filter(Boolean);
  if (stale.length)
    await log(
      `${stale.length} pixel(s) in the journal were converted with other options (${stale.filter((r) => r === 'options').length}) or from changed inputs (${stale.filter((r) => r === 'inputs').length}): converting them again`,
    );

  const batchSize = Math.max(1, o.tilesPerBatch ?? 8);
  const batches: PixelTask[][] = [];
  for (let i = 0; i < tasks.length; i += batchSize) batches.push(tasks.slice(i, i + batchSize));
  const run = batches.slice(0, o.maxBatches ?? batches.length);
  const outcomes: PixelOutcome[] = [];

  // One pool of workers runs through the pixels of every batch in order, so a batch's slow last pixel
  // never idles the others; a batch's line is printed once all its pixels are done, in batch order.
  const queue = run.flat();
  const state = run.map((batch) => ({ size: batch.length, results: [] as PixelOutcome[], t0: 0, t1: 0 }));
  let next = 0;
  let printed = 0;
  let logging = Promise.resolve();
  const batchLine = async (b: number) => {
    const { results, t0, t1, size } = state[b];
    const secs = (t1 - t0) / 1000;
    const read = results.reduce((a, r) => a + r.bytesRead, 0);
    const written = results.reduce((a, r) => a + r.bytesWritten, 0);
    const count = (st: PixelOutcome['status']) => results.filter((r) => r.status === st).length;
    await log(
      `batch ${b + 1}/${run.length}: ${size} pixels (${count('ok')} ok, ${count('skipped')} skipped, ${count('failed')} failed), ${results.reduce((a, r) => a + r.qsos, 0)} QSOs, ` +
        `${mode === 'direct' ? 'read' : 'downloaded'} ${MB(read)} MB, wrote ${MB(written)} MB (${read ? (100 * (1 - written / read)).toFixed(1) : '0.0'}% reduction), ` +
        `${(read / 1e6 / Math.max(secs, 1e-9)).toFixed(1)} MB/s, ${secs.toFixed(1)} s`,
    );
    for (const f of results.filter((r) => r.status === 'failed')) await log(`  FAILED ${f.id}: ${f.error}`);
  };
  // One pixel gains nothing from a thread (it would only pay the thread's start-up); more pixels overlap.
  const budget = new MemoryBudget((o.memoryBudgetMiB ?? 512) * MiB);
  const encoder = EncodePool.shared(o.encodeThreads ?? (queue.length > 1 ? defaultEncodeThreads() : 0));
  // Stop taking pixels on a signal (the ones in flight finish and are journalled) or a full disk.
  let stop: StopReason | undefined;
  const interrupts = o.handleSignals
    ? watchInterrupts(
        parent,
        (_sig, why) => {
          stop = 'interrupted';
          void log(`interrupted (${why}): finishing the pixels in flight, then stopping; a re-run resumes`);
        },
        print,
      )
    : undefined;
  const worker = async () => {
    while (next < queue.length && !stop) {
      const i = next++;
      const b = Math.floor(i / batchSize);
      state[b].t0 ||= performance.now();
      const result = await convertPixel(queue[i], o, mode, { s3, client, outClient, s3Out, journal, encoder, budget });
      if (result.code === 'ENOSPC' || result.code === 'EDQUOT') {
        if (!stop) void log(`disk full (${result.code}) writing ${result.id}: stopping the run; free space and re-run to resume`);
        stop = 'disk-full';
      }
      state[b].results.push(result);
      outcomes.push(result);
      if (state[b].results.length === state[b].size) state[b].t1 = performance.now();
      if (o.progressBar && process.stdout.isTTY) {
        const rate = outcomes.length / ((performance.now() - started) / 3.6e6);
        const eta = ((queue.length - outcomes.length) / Math.max(rate, 1e-9)) * 60;
        const bar = '#'.repeat(Math.round((30 * outcomes.length) / queue.length)).padEnd(30, '.');
        process.stdout.write(`\r[${bar}] ${outcomes.length}/${queue.length} pixels, ${rate.toFixed(0)} px/h, ETA ${eta.toFixed(1)} min   `);
      }
      while (printed < state.length && state[printed].t1) {
        const done = printed++;
        logging = logging.then(async () => {
          if (o.progressBar && process.stdout.isTTY) process.stdout.write('\r\x1b[K');
          await batchLine(done);
        });
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, o.workers ?? (mode === 'direct' ? 16 : 4)) }, worker));
  } finally {
    interrupts?.dispose();
  }
  await logging;
  // Batches cut short by a stop still get their line.
  for (let b = printed; b < state.length; b++) if (state[b].results.length) await batchLine(b);

  if (!s3Out && mode === 'download') {
    // Staged files went pixel by pixel; the run's staging folder goes too (and `.work` once empty).
    await rm(join(o.out, '.work', runTag(o.shard)), { recursive: true, force: true });
    await rmdir(join(o.out, '.work')).catch(() => {});
  }
  const seconds = (performance.now() - started) / 1000;
  const converted = outcomes.filter((r) => r.status !== 'skipped').length;
  const perHour = converted / Math.max(seconds / 3600, 1e-9);
  // Refused manifest entries count as failed pixels: the run was asked for them.
  for (const r of plan.rejected) outcomes.push({ id: r.entry, status: 'failed', qsos: 0, bytesRead: 0, bytesWritten: 0, error: r.error });
  const summary: ConvertSummary = {
    pixels_total: tasks.length + plan.rejected.length,
    pixels_ok: outcomes.filter((r) => r.status === 'ok').length,
    pixels_failed: outcomes.filter((r) => r.status === 'failed').length,
    pixels_skipped: outcomes.filter((r) => r.status === 'skipped').length,
    qsos: outcomes.reduce((a, r) => a + r.qsos, 0),
    bytes_read: outcomes.reduce((a, r) => a + r.bytesRead, 0),
    bytes_written: outcomes.reduce((a, r) => a + r.bytesWritten, 0),
    seconds,
    batches: run.length,
    pixels_per_hour: perHour,
    projected_dr1_hours: converted ? DR1_PIXELS / perHour : 0,
    mode,
    shard: o.shard ? `${o.shard.index}/${o.shard.count}` : undefined,
    stopped: stop,
    signal: interrupts?.signal,
    pixels_not_started: stop ? queue.length - next : undefined,
    pixels_in_flight_max: budget.peak.holders,
    memory_reserved_max_mib: Math.round(budget.peak.bytes / MiB),
    failures: outcomes.filter((r) => r.status === 'failed').map((r) => ({ pixel: r.id, error: r.error ?? '', code: r.code })),
    hdus_verified: outcomes.reduce((a, r) => a + (r.checksums?.verified ?? 0), 0),
    hdus_unverified: outcomes.reduce((a, r) => a + (r.checksums?.unverified ?? 0), 0),
    hdus_without_checksum: outcomes.reduce((a, r) => a + (r.checksums?.absent ?? 0), 0),
  };
  await log(
    `done: ${summary.pixels_ok} ok, ${summary.pixels_skipped} skipped, ${summary.pixels_failed} failed; ${summary.qsos} QSOs; ` +
      `${MB(summary.bytes_read)} MB read, ${MB(summary.bytes_written)} MB written in ${seconds.toFixed(1)} s; ` +
      `${perHour.toFixed(0)} pixels/hour → all of DR1 (${DR1_PIXELS} pixels) in ${summary.projected_dr1_hours.toFixed(2)} h on one process`,
  );
  return summary;
}

/** Names this run's temporary files, so shards sharing an output folder never remove each other's. */
function runTag(shard: Shard | undefined): string {
  return shard ? `${shard.index}of${shard.count}` : 'all';
}

/**
 * A killed run may leave temporary outputs and staged downloads: they are never results, so they go,
 * unless the process that wrote them still lives (the run lock keeps a same-tag run from living, so
 * this is a second guard).
 */
async function removeLeftovers(out: string, tag: string): Promise<void> {
  await rm(join(out, '.work', tag), { recursive: true, force: true });
  const leftover = new RegExp(`\\.tmp-${tag}-(\\d+)$`);
  for (const name of await readdir(out, { recursive: true })) {
    const m = leftover.exec(name);
    if (m && !processAlive(Number(m[1]))) await rm(join(out, name), { force: true });
  }
}

/** What every pixel of a run shares. */
interface RunContext {
  /** The S3 package, loaded when the run reads or writes S3. */
  s3: typeof import('@desi/s3-fetch') | undefined;
  client: S3Client | undefined;
  outClient: S3Client | undefined;
  s3Out: { bucket: string; key: string } | undefined;
  journal: Journal;
  encoder: EncodePool;
  budget: MemoryBudget;
}

async function convertPixel(
  task: PixelTask,
  o: ConvertOptions,
  mode: 'direct' | 'download',
  { s3, client, outClient, s3Out, journal, encoder, budget }: RunContext,
): Promise<PixelOutcome> {
  const layout = o.layout ?? 'flat';
  if (await verified(task, o, journal, o.out, !!s3Out))
    return { id: task.id, status: 'skipped', qsos: journal.get(task.id)?.rows ?? 0, bytesRead: 0, bytesWritten: 0 };
  // Memory first: the pixel's tables now, its spectra once it knows how many (see memory-budget.ts).
  const reservation = await budget.admit(tablesEstimate(task));
  let staged: string[] = [];
  let downloaded = 0;
  const wholeFile: ChecksumTally[] = [];
  try {
    if (!task.files.coadd || !task.files.redrock)
      throw new FusionError('missing-file', `missing ${!task.files.coadd ? 'coadd' : 'redrock'}`, { pixel: task.pixel });
    const wanted = productsWanted(o);
    let sources: PixelSources;
    if (mode === 'download' && s3 && client && Object.values(task.files).some((f) => f?.kind === 's3')) {
      const workDir = join(o.workDir ?? join(s3Out ? '.desi-qso' : o.out, '.work', runTag(o.shard)), task.id.replace(/\//g, '_'));
      staged = [workDir];
      const d = await stageDownloads(task, wanted, o, s3, client, workDir);
      sources = d.sources;
      downloaded = d.downloaded;
      wholeFile.push(...d.checksums);
    } else sources = await rangeSources(task, wanted, o, s3, client);
    const fuseOptions: FuseOptions = {
      pixel: task.pixel,
      camera: o.camera,
      precision: o.precision,
      selection: o.selection,
      rrdetails: o.rrdetails ?? false,
      // Staged files were checked whole above: the fusion's own checks would read them again.
      verify: wholeFile.length ? 'off' : (o.verify ?? 'read'),
      onSelected: ({ count }) => reservation.grow(spectraEstimate(count, o)),
    };
    const fused = await fusePixel(sources, fuseOptions);
    // Bytes over the wire (merged gaps and header read-ahead included) for remote files, else bytes read.
    let read = downloaded;
    if (mode === 'direct' || !downloaded)
      for (const [p, io] of Object.entries(fused.io)) {
        const src = sources[p as Product];
        read += s3 && src instanceof s3.S3RangeSource ? src.stats.bytesFetched : (io?.bytes ?? 0);
      }
    const count = fused.count;
    const parts = await encoder.encode(fused);
    const size = parts.reduce((a, p) => a + p.length, 0);
    const rel = outputPath(task, count, layout);
    if (s3Out) {
      const key = `${s3Out.key.replace(/\/?$/, '/')}${rel}`;
      const { Upload } = await import('@aws-sdk/lib-storage');
      await new Upload({
        client: outClient as S3Client,
        params: { Bucket: s3Out.bucket, Key: key, Body: Buffer.concat(parts) },
        partSize: 8 << 20,
      }).done();
    } else {
      await writeAtomic(join(o.out, rel), parts, runTag(o.shard));
    }
    const previous = journal.get(task.id);
    await journal.record({
      id: task.id,
      status: 'ok',
      output: rel,
      rows: count,
      bytes: size,
      sha256: await sha256(parts),
      options: outputOptions(o),
      inputs: inputIdentity(task, o),
    });
    // A reconversion under other options may name its file differently (another count): the earlier
    // file was this pipeline's, recorded with its checksum, so it goes if it is still exactly that.
    if (!s3Out && previous?.output && previous.output !== rel) await removeIfUnchanged(join(o.out, previous.output), previous.sha256);
    // Download mode checked the staged files whole: the fusion's partial reads are covered there.
    const checksums = wholeFile.length
      ? wholeFile.reduce((a, w) => ({ verified: a.verified + w.verified, absent: a.absent + w.absent, unverified: 0 }), newTally())
      : fused.checksums;
    return { id: task.id, status: 'ok', qsos: count, bytesRead: read, bytesWritten: size, checksums };
  } catch (e) {
    const error = (e as Error).message;
    const code = (e as { code?: unknown }).code;
    // The journal may not be writable either (a full disk): the pixel is then simply redone next run.
    await journal.record({ id: task.id, status: 'failed', error, code: typeof code === 'string' ? code : undefined }).catch(() => {});
    return {
      id: task.id,
      status: 'failed',
      qsos: 0,
      bytesRead: downloaded,
      bytesWritten: 0,
      error,
      code: typeof code === 'string' ? code : undefined,
    };
  } finally {
    reservation.release();
    // Staged files go once the output is written (or the pixel failed): download mode keeps no copies.
    for (const d of staged) await rm(d, { recursive: true, force: true });
  }
}
