import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { appendJournal, readJournal } from './journal.js';
import { safeJoin } from './location.js';
import { type RetryPolicy, withRetry } from './retry.js';
import { classify, fetchInto, fileMd5, Gate, md5Etag, RetryableError, size, syncFile } from './transfer.js';

/** One object to fetch. Size and ETag from a listing save a HEAD request. */
export interface DownloadItem {
  bucket: string;
  key: string;
  size?: number;
  etag?: string;
  /** Local path (default: the key below `outDir`, refusing keys that escape it). */
  path?: string;
}

/** Progress of a bulk download (for a progress bar). */
export interface DownloadProgress {
  files: number;
  totalFiles: number;
  bytes: number;
  totalBytes: number;
  /** Bytes per second since the start. */
  rate: number;
  /** Seconds left at the current rate (Infinity before any byte). */
  eta: number;
  concurrency: number;
}

/** Options of {@link downloadAll}. */
export interface DownloadOptions {
  outDir: string;
  /** Transfers at once (default 8, the throughput benchmark's knee). */
  concurrency?: number;
  /**
   * At most this many attempts per object (default: no count; the retry window decides, so a run
   * rides out an archive that is away for a minute).
   */
  maxAttempts?: number;
  /** How long one object's transient failures are retried (default 120 s). */
  retryWindowMs?: number;
  /** First backoff (default 200 ms); doubles each attempt, with full jitter, capped at `maxBackoffMs`. */
  baseBackoffMs?: number;
  /** Longest wait between attempts (default 5 s). */
  maxBackoffMs?: number;
  /** Abort a body that delivers nothing for this long (default 30 s): a stalled body never ends on its own. */
  stallTimeoutMs?: number;
  /** The journal of verified downloads (default `<outDir>/.s3-fetch-journal.jsonl`). */
  journal?: string;
  onProgress?: (p: DownloadProgress) => void;
  /** Random source for the jitter (tests pass a seeded one). */
  random?: () => number;
}

/** What happened to one object. */
export interface DownloadResult {
  key: string;
  path: string;
  status: 'downloaded' | 'skipped' | 'failed';
  bytes: number;
  attempts: number;
  error?: string;
  /** The final error's code when it had one (`ENOSPC`, `EACCES`…), so callers can tell a full disk from the network. */
  code?: string;
}

/** Totals of a bulk download. */
export interface DownloadSummary {
  results: DownloadResult[];
  downloaded: number;
  skipped: number;
  failed: number;
  bytes: number;
  seconds: number;
  /** Retries by cause: throttled (503 SlowDown), server (5xx), network (reset, truncated body, stall), changed (ETag). */
  retries: { throttled: number; server: number; network: number; changed: number };
  /** Transfers that continued from the bytes of an earlier attempt. */
  resumed: number;
}

interface JournalEntry {
  key: string;
  path: string;
  size: number;
  etag?: string;
}

/**
 * Download many objects: `concurrency` transfers at once (halved while the server throttles, grown
 * back after successes), retries with exponential backoff and full jitter on 503 SlowDown, 5xx,
 * resets, truncated and stalled bodies (honouring Retry-After), resuming a broken transfer from the
 * bytes already in its `.part` file with Range + If-Match, verifying size (and MD5 for single-part
 * ETags) before renaming into place, and journaling verified files so a re-run skips them.
 *
 * @example
 * const s = await downloadAll(createPublicClient(), items, { outDir: 'mirror', onProgress: (p) => bar.update(p) });
 */
export async function downloadAll(client: S3Client, items: DownloadItem[], o: DownloadOptions): Promise<DownloadSummary> {
  const journalPath = o.journal ?? join(o.outDir, '.s3-fetch-journal.jsonl');
  const run = new DownloadRun(client, o, items, journalPath, await readJournal<JournalEntry>(journalPath));
  const results = await Promise.all(items.map((item) => run.one(item)));
  return {
    results,
    downloaded: results.filter((r) => r.status === 'downloaded').length,
    skipped: results.filter((r) => r.status === 'skipped').length,
    failed: results.filter((r) => r.status === 'failed').length,
    bytes: results.reduce((a, r) => a + (r.status === 'downloaded' ? r.bytes : 0), 0),
    seconds: (performance.now() - run.started) / 1000,
    retries: run.retries,
    resumed: run.resumed,
  };
}

/** One object's transfer state across attempts. */
interface Transfer {
  item: DownloadItem;
  path: string;
  part: string;
  expected?: number;
  etag?: string;
  attempts: number;
}

/** The shared state of one {@link downloadAll}: journal, adaptive gate, counters and progress. */
class DownloadRun {
  readonly started = performance.now();
  readonly retries = { throttled: 0, server: 0, network: 0, changed: 0 };
  resumed = 0;
  private readonly journal: Map<string, JournalEntry>;
  private readonly gate: Gate;
  private doneFiles = 0;
  private doneBytes = 0;
  private readonly totalBytes: number;

  constructor(
    private readonly client: S3Client,
    private readonly o: DownloadOptions,
    private readonly items: DownloadItem[],
    private readonly journalPath: string,
    entries: JournalEntry[],
  ) {
    this.journal = new Map(entries.map((e) => [e.key, e]));
    this.gate = new Gate(Math.max(1, o.concurrency ?? 8));
    this.totalBytes = items.reduce((a, i) => a + (i.size ?? 0), 0);
  }

  private progress(): void {
    const secs = Math.max(1e-3, (performance.now() - this.started) / 1000);
    this.o.onProgress?.({
      files: this.doneFiles,
      totalFiles: this.items.length,
      bytes: this.doneBytes,
      totalBytes: this.totalBytes,
      rate: this.doneBytes / secs,
      eta: this.doneBytes > 0 ? (this.totalBytes - this.doneBytes) / (this.doneBytes / secs) : Number.POSITIVE_INFINITY,
      concurrency: this.gate.limit,
    });
  }

  /** Skip an object the journal verified (same size, ETag and file), else fetch it under the retry policy. */
  async one(item: DownloadItem): Promise<DownloadResult> {
    const path = item.path ?? safeJoin(this.o.outDir, item.key);
    const j = this.journal.get(item.key);
    if (
      j &&
      j.path === path &&
      (item.size === undefined || j.size === item.size) &&
      (item.etag === undefined || j.etag === item.etag) &&
      (await size(path)) === j.size
    ) {
      this.doneFiles++;
      this.doneBytes += j.size;
      this.progress();
      return { key: item.key, path, status: 'skipped', bytes: j.size, attempts: 0 };
    }
    await mkdir(dirname(path), { recursive: true });
    const t: Transfer = { item, path, part: `${path}.part`, expected: item.size, etag: item.etag, attempts: 0 };
    try {
      return await withRetry((n) => this.gated(t, n), this.policy(), {
        transient: (e) => e instanceof RetryableError,
        retryAfterMs: (e) => (e as RetryableError).retryAfterMs,
        onRetry: (e) => {
          const r = e as RetryableError;
          this.retries[r.kind]++;
          if (r.kind === 'throttled') this.gate.throttled();
        },
        maxAttempts: this.o.maxAttempts,
      });
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      return {
        key: item.key,
        path,
        status: 'failed',
        bytes: 0,
        attempts: t.attempts,
        error: (e as Error)?.message ?? String(e),
        code: typeof code === 'string' ? code : undefined,
      };
    }
  }

  private policy(): RetryPolicy {
    return { windowMs: this.o.retryWindowMs, baseMs: this.o.baseBackoffMs, maxDelayMs: this.o.maxBackoffMs, random: this.o.random };
  }

  /** Attempt `n` inside the gate; only the network's and the server's failures come out retryable. */
  private async gated(t: Transfer, n: number): Promise<DownloadResult> {
    t.attempts = n;
    await this.gate.enter();
    try {
      return await this.attempt(t);
    } catch (e) {
      const r = classify(e);
      if (r?.kind === 'changed') {
        // A new version: start over with its size and ETag.
        await rm(t.part, { force: true });
        t.expected = undefined;
        t.etag = undefined;
      }
      throw r ?? e;
    } finally {
      this.gate.leave();
    }
  }

  /** Fetch what the .part file lacks, check it, flush it, rename it into place, journal it. */
  private async attempt(t: Transfer): Promise<DownloadResult> {
    const { item, part, path } = t;
    if (t.expected === undefined || t.etag === undefined) {
      const h = await this.client.send(new HeadObjectCommand({ Bucket: item.bucket, Key: item.key }));
      t.expected = Number(h.ContentLength ?? 0);
      t.etag = h.ETag;
    }
    const expected = t.expected;
    let have = (await size(part)) ?? 0;
    if (have > expected) {
      await rm(part, { force: true });
      have = 0;
    }
    if (have > 0 && t.attempts > 1) this.resumed++;
    if (have < expected) {
      have += await fetchInto(this.client, item, part, have, expected, t.etag, this.o.stallTimeoutMs ?? 30_000, (n) => {
        this.doneBytes += n;
        this.progress();
      });
    }
    if (have !== expected) throw new RetryableError('network', `body ended after ${have} of ${expected} bytes`);
    const md5 = md5Etag(t.etag);
    if (md5 && (await fileMd5(part)) !== md5) {
      await rm(part, { force: true });
      throw new RetryableError('network', 'MD5 does not match the ETag; fetching again');
    }
    await syncFile(part);
    await rename(part, path);
    await appendJournal(this.journalPath, { key: item.key, path, size: expected, etag: t.etag } satisfies JournalEntry);
    this.gate.succeeded();
    this.doneFiles++;
    this.progress();
    return { key: item.key, path, status: 'downloaded', bytes: expected, attempts: t.attempts };
  }
}
