import { appendFile, mkdir, readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { RequestTimeouts, RetryPolicy } from '@desi/s3-fetch';
import type { Precision, Selection } from '@desi/tile-fusion';
import { DirectInputs, StagedInputs } from './input-provider.js';
import { watchInterrupts } from './interrupts.js';
import { Journal } from './journal.js';
import { MemoryBudget } from './memory-budget.js';
import { ParquetSink } from './output-sink.js';
import { LocalStore, S3Store } from './output-store.js';
import { convertPixel, type PixelContext } from './pixel.js';
import { planTasks, type RejectedEntry } from './plan.js';
import { runPool } from './pool.js';
import { RunProgress } from './progress.js';
import { staleReason } from './provenance.js';
import { acquireRunLock, processAlive } from './run-lock.js';
import { type Shard, shardOf } from './shard.js';
import { type ConvertSummary, type PixelOutcome, type StopReason, summarize, summaryLine } from './summary.js';
import type { PixelTask, TaskFilter } from './tasks.js';

export { outputPath } from './output-sink.js';
export { type ConvertSummary, DR1_PIXELS } from './summary.js';

const MiB = 1 << 20;

/** Options of {@link convert}; the CLI flags map onto these one to one. */
export interface ConvertOptions {
  /** `s3://bucket/prefix`, an `https://` archive URL, or a local mirror of the HEALPix tree. */
  source: string;
  /** A local folder or an `s3://bucket/prefix`. */
  out: string;
  /** Credentials to write an `s3://` output (default: the AWS credential chain). Input is always read anonymously. */
  outCredentials?: 'default' | { accessKeyId: string; secretAccessKey: string };
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
  /**
   * Also write a TARGETID index of the converted pixels here (the same file `desi-qso index` writes;
   * the redrock and coadd reads are shared with the conversion).
   */
  indexOut?: string;
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

/**
 * Convert DR1 HEALPix pixels to Parquet: discover (listing, a local tree or a manifest), keep this
 * shard's pixels, skip those the journal has verified, and convert the rest in batches, each pixel
 * independently (a failure is recorded and the batch goes on).
 */
export async function convert(o: ConvertOptions): Promise<ConvertSummary> {
  const started = performance.now();
  // The launcher at the start, so that one killed during discovery is noticed too.
  const parent = process.ppid;
  const io = await connect(o);
  // 1. Plan: what to convert (a bad source stops here; a bad manifest entry fails alone).
  const { tasks, rejected } = await shardPlan(o, io);
  // 2. Run, in an output folder created only now (a bad source leaves nothing behind) and locked.
  const setup: RunSetup = { ...io, started, parent, mode: o.mode ?? 'direct', print: o.print ?? ((l) => console.log(l)), tasks, rejected };
  if (io.s3Out) return runTasks(o, setup);
  await mkdir(o.out, { recursive: true });
  const release = await acquireRunLock(o.out, runTag(o.shard));
  try {
    await removeLeftovers(o.out, runTag(o.shard));
    return await runTasks(o, setup);
  } finally {
    await release();
  }
}

/** The S3 side of a run, loaded only when it reads or writes S3 (the SDK is large). */
async function connect(o: ConvertOptions): Promise<Pick<RunSetup, 's3' | 's3Out' | 'client' | 'outClient' | 'logFile'>> {
  const remote = /^(s3|https?):\/\//.test(o.source) || o.out.startsWith('s3://');
  const s3 = remote ? await import('@desi/s3-fetch') : undefined;
  const s3Out = s3 && o.out.startsWith('s3://') ? s3.parseLocation(o.out) : undefined;
  const client = s3?.createPublicClient({ endpoint: o.endpoint, timeouts: o.timeouts });
  // Reading is anonymous; writing needs credentials (the AWS chain unless the caller gives some).
  const outClient = s3Out ? s3?.createPublicClient({ endpoint: o.endpoint, credentials: o.outCredentials ?? 'default' }) : undefined;
  const logFile = o.logFile ?? (s3Out ? undefined : join(o.out, 'desi-qso.log'));
  return { s3, s3Out, client, outClient, logFile };
}

/** The plan's pixels and refused manifest entries that belong to this run's shard. */
export async function shardPlan(
  o: ConvertOptions,
  io: Pick<RunSetup, 's3' | 'client'>,
): Promise<{ tasks: PixelTask[]; rejected: RejectedEntry[] }> {
  const plan = await planTasks({ source: o.source, filter: o.filter, manifest: o.manifest, s3: io.s3, client: io.client, retry: o.retry });
  if (!o.shard) return plan;
  const { index, count } = o.shard;
  // A refused entry belongs to one shard too, so that it is reported once across them.
  return {
    tasks: plan.tasks.filter((t) => shardOf(t.id, count) === index),
    rejected: plan.rejected.filter((r) => shardOf(r.entry, count) === index),
  };
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

/** A log that prints and appends to the log file; one it cannot write (a full disk) is said once. */
function runLog(print: (line: string) => void, logFile: string | undefined): (line: string) => Promise<void> {
  let broken = false;
  return async (line) => {
    print(line);
    if (!logFile || broken) return;
    await appendFile(logFile, `${new Date().toISOString()} ${line}\n`).catch((e: Error) => {
      broken = true;
      print(`(cannot write the log ${logFile}: ${e.message})`);
    });
  };
}

/** The per-pixel parts this run is made of: where inputs come from, the format, where outputs go. */
function pixelParts(o: ConvertOptions, setup: RunSetup, queued: number): Pick<PixelContext, 'inputs' | 'sink' | 'store'> {
  const { s3, client, s3Out, outClient, mode } = setup;
  const inputs =
    mode === 'download' && s3 && client
      ? new StagedInputs(o, s3, client, o.workDir ?? join(s3Out ? '.desi-qso' : o.out, '.work', runTag(o.shard)))
      : new DirectInputs(o, s3, client);
  const sink = new ParquetSink(o.layout ?? 'flat', o.encodeThreads, queued);
  const store = s3Out && outClient ? new S3Store(outClient, s3Out) : new LocalStore(o.out, runTag(o.shard));
  return { inputs, sink, store };
}

async function runTasks(o: ConvertOptions, setup: RunSetup): Promise<ConvertSummary> {
  const { started, parent, mode, print, s3Out, tasks, rejected } = setup;
  const log = runLog(print, setup.logFile);
  const journal = await Journal.open(s3Out ? join(o.workDir ?? '.desi-qso', 'journal.jsonl') : join(o.out, '.desi-qso-journal.jsonl'));
  await log(
    `desi-qso convert: ${tasks.length} pixels from ${o.source} (${mode} mode${o.shard ? `, shard ${o.shard.index}/${o.shard.count} from ${o.shard.source}` : ''}) → ${o.out}`,
  );
  for (const r of rejected) await log(`  REJECTED ${r.error}`);
  const stale = tasks.map((t) => staleReason(t, o, journal)).filter(Boolean);
  if (stale.length)
    await log(
      `${stale.length} pixel(s) in the journal were converted with other options (${stale.filter((r) => r === 'options').length}) or from changed inputs (${stale.filter((r) => r === 'inputs').length}): converting them again`,
    );

  // Batches are a unit of reporting: one pool runs through the pixels of every batch in order, so a
  // batch's slow last pixel never idles the others.
  const batchSize = Math.max(1, o.tilesPerBatch ?? 8);
  const batchCount = Math.min(Math.ceil(tasks.length / batchSize), o.maxBatches ?? Number.POSITIVE_INFINITY);
  const queue = tasks.slice(0, batchCount * batchSize);
  const sizes = Array.from({ length: batchCount }, (_, b) => Math.min(batchSize, queue.length - b * batchSize));
  const progress = new RunProgress(sizes, { batchSize, mode, log, bar: o.progressBar === true, started });
  const budget = new MemoryBudget((o.memoryBudgetMiB ?? 512) * MiB);
  const ctx: PixelContext = { o, journal, budget, remoteOut: !!s3Out, ...pixelParts(o, setup, queue.length) };
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
  let pool: Awaited<ReturnType<typeof runPool<PixelTask, PixelOutcome>>>;
  try {
    pool = await runPool(queue, o.workers ?? (mode === 'direct' ? 16 : 4), (task) => convertPixel(task, ctx), {
      shouldStop: () => stop !== undefined,
      onStart: (i) => progress.start(i),
      onDone: (i, r) => {
        const code = r.failure?.code;
        if (code === 'ENOSPC' || code === 'EDQUOT') {
          if (!stop) void log(`disk full (${code}) writing ${r.id}: stopping the run; free space and re-run to resume`);
          stop = 'disk-full';
        }
        progress.finish(i, r);
      },
    });
  } finally {
    interrupts?.dispose();
  }
  await progress.flush();
  if (o.indexOut) {
    const { mergeIndexParts } = await import('./targets.js');
    await log(`index: ${await mergeIndexParts(o.indexOut)} targets → ${o.indexOut}`);
  }
  if (!s3Out && mode === 'download') {
    // Staged files went pixel by pixel; the run's staging folder goes too (and `.work` once empty).
    await rm(join(o.out, '.work', runTag(o.shard)), { recursive: true, force: true });
    await rmdir(join(o.out, '.work')).catch(() => {});
  }
  const summary = summarize({
    outcomes: pool.results.filter((r): r is PixelOutcome => r !== undefined),
    planned: tasks.length,
    rejected,
    batches: batchCount,
    seconds: (performance.now() - started) / 1000,
    mode,
    shard: o.shard,
    stopped: stop,
    signal: interrupts?.signal,
    notStarted: queue.length - pool.started,
    peak: budget.peak,
  });
  await log(summaryLine(summary));
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
