/**
 * One object's transfer, the parts of it that are not the bulk download's bookkeeping: which failures
 * are worth another try, the adaptive concurrency gate, a resumable ranged GET into a `.part` file, and
 * the checks (size, MD5) and flush before it is renamed into place.
 */
import { createHash } from 'node:crypto';
import { type FileHandle, open, readFile, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DownloadItem } from './download.js';
import { isTransientError, isTransientStatus } from './retry.js';

/** A failure worth another attempt, by cause (the summary counts retries by it). */
export class RetryableError extends Error {
  constructor(
    readonly kind: 'throttled' | 'server' | 'network' | 'changed',
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export function classify(e: unknown): RetryableError | undefined {
  if (e instanceof RetryableError) return e;
  const err = e as {
    name?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
    $response?: { headers?: Record<string, string> };
    message?: string;
  };
  const status = err.$metadata?.httpStatusCode;
  const retryAfter = Number(err.$response?.headers?.['retry-after']);
  const after = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : undefined;
  if (status === 503 || status === 429 || err.name === 'SlowDown') return new RetryableError('throttled', err.message ?? 'SlowDown', after);
  if (status === 412) return new RetryableError('changed', 'the object changed during the transfer (ETag mismatch)');
  if (status !== undefined && isTransientStatus(status)) return new RetryableError('server', err.message ?? `HTTP ${status}`, after);
  if (status !== undefined) return undefined; // 403, 404: final
  // No HTTP status: a failed connection, a timeout or a broken body is retried; anything else (a full
  // local disk, a permission error, a bug) is final, never mistaken for the network.
  return isTransientError(e) ? new RetryableError('network', err.message ?? String(e)) : undefined;
}

/** The MD5 of a single-part upload is its ETag; multipart ETags (`…-N`) cannot be checked this way. */
export function md5Etag(etag: string | undefined): string | undefined {
  const t = etag?.replace(/"/g, '');
  return t && /^[0-9a-f]{32}$/i.test(t) ? t.toLowerCase() : undefined;
}

export async function fileMd5(path: string): Promise<string> {
  return createHash('md5')
    .update(await readFile(path))
    .digest('hex');
}

/** Flush a file to the disk before it is renamed into place (a crash then never leaves a named file half-written). */
export async function syncFile(path: string): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function size(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

/** Adaptive concurrency: halves on throttling, grows back by one after a run of successes. */
export class Gate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  limit: number;
  private streak = 0;
  constructor(private readonly max: number) {
    this.limit = max;
  }
  async enter(): Promise<void> {
    while (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
  }
  leave(): void {
    this.active--;
    this.waiting.shift()?.();
  }
  throttled(): void {
    this.limit = Math.max(1, Math.floor(this.limit / 2));
    this.streak = 0;
  }
  succeeded(): void {
    if (++this.streak >= 4 && this.limit < this.max) {
      this.limit++;
      this.streak = 0;
      this.waiting.shift()?.();
    }
  }
}

/**
 * GET bytes `from…expected-1` (pinned with If-Match) and append them to `part`, aborting a body that
 * stalls. Returns the bytes appended, which may be fewer than asked if the body broke: those stay in
 * `part` for the next attempt.
 */
export async function fetchInto(
  client: S3Client,
  item: DownloadItem,
  part: string,
  from: number,
  expected: number,
  etag: string | undefined,
  stallMs: number,
  onBytes: (n: number) => void,
): Promise<number> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => abort.abort(new Error(`no data for ${stallMs} ms (stalled body)`)), stallMs);
  };
  arm();
  let fh: FileHandle | undefined;
  let written = 0;
  try {
    const res = await client.send(
      new GetObjectCommand({
        Bucket: item.bucket,
        Key: item.key,
        Range: from > 0 || expected > 0 ? `bytes=${from}-${expected - 1}` : undefined,
        IfMatch: etag,
      }),
      { abortSignal: abort.signal },
    );
    fh = await open(part, from > 0 ? 'a' : 'w');
    const body = res.Body as Readable;
    body.on('error', () => {});
    const stop = () => body.destroy(abort.signal.reason as Error);
    abort.signal.addEventListener('abort', stop, { once: true });
    for await (const chunk of body) {
      arm();
      const b = chunk as Uint8Array;
      const room = expected - from - written;
      const take = b.length > room ? b.subarray(0, room) : b;
      await fh.write(take);
      written += take.length;
      onBytes(take.length);
    }
    return written;
  } catch (e) {
    // A stall, or a network failure mid-body, resumes from the bytes on disk; a local failure (a full
    // disk) is not the network's and stays what it is.
    if (abort.signal.aborted || (written > 0 && isTransientError(e)))
      throw new RetryableError('network', `${(e as Error).message} (after ${written} bytes; will resume)`);
    throw e;
  } finally {
    clearTimeout(timer);
    await fh?.close();
  }
}
