import type { S3Client } from '@aws-sdk/client-s3';
import { type ByteSource, RangeCache, type RangeCacheOptions, type RangeStats, rangeStatusError } from '@desi/fits-reader';
import { Agent, type Dispatcher } from 'undici';
import { type RangeResponse, rangeGet } from './http-range.js';
import type { S3Location } from './location.js';
import { DEFAULT_TIMEOUTS, isTransientStatus, type RequestTimeouts, type RetryPolicy, withRetry } from './retry.js';

/** Options of {@link S3RangeSource}. */
export interface S3RangeSourceOptions extends RangeCacheOptions {
  /** Known size and ETag (from a listing) save the HEAD request. */
  size?: number;
  etag?: string;
  /**
   * The object's public URL (see {@link publicObjectUrl}): ranged GETs then go out as plain unsigned
   * HTTP requests (undici) instead of SDK commands, about a quarter of the client CPU per request,
   * which is what bounds a pixel read as hundreds of small ranges. Public objects only; the SDK path signs.
   */
  objectUrl?: string;
  /** The undici dispatcher for `objectUrl` requests (default: one keep-alive agent shared by all sources). */
  dispatcher?: Dispatcher;
  /** How long a failing range is retried (default: a 120 s window; see {@link RetryPolicy}). */
  retry?: RetryPolicy;
  /** Connect, first-byte and idle timeouts of `objectUrl` requests (default 10 s, 30 s, 30 s). */
  timeouts?: RequestTimeouts;
}

const sharedAgents = new Map<string, Agent>();
/**
 * One keep-alive connection pool per origin (and set of timeouts), shared by every source, so
 * connections are reused across objects. An archive is one origin, and with ~100 ms round trips the
 * connection count bounds the request rate (256 connections ≈ 2,500 small GETs/s), so it is generous.
 * Every request has a connect, first-byte and idle timeout: a server that accepts and never answers
 * fails the attempt (and the retry policy decides) instead of hanging the run.
 */
/** The AWS SDK, loaded once and only when a request needs it (plain-HTTP range reads never do). */
let sdkLoading: Promise<typeof import('@aws-sdk/client-s3')> | undefined;
function sdk(): Promise<typeof import('@aws-sdk/client-s3')> {
  sdkLoading ??= import('@aws-sdk/client-s3');
  return sdkLoading;
}

function defaultDispatcher(timeouts: RequestTimeouts = {}): Agent {
  const t = { ...DEFAULT_TIMEOUTS, ...timeouts };
  const key = `${t.connectMs}/${t.firstByteMs}/${t.idleMs}`;
  let agent = sharedAgents.get(key);
  if (!agent) {
    agent = new Agent({
      connections: 256,
      keepAliveTimeout: 30_000,
      connect: { timeout: t.connectMs },
      headersTimeout: t.firstByteMs,
      bodyTimeout: t.idleMs,
    });
    sharedAgents.set(key, agent);
  }
  return agent;
}

/** An HTTP status worth another try, carried the way SDK errors carry theirs. */
class HttpStatusError extends Error {
  readonly $metadata: { httpStatusCode: number };
  constructor(message: string, status: number) {
    super(message);
    this.$metadata = { httpStatusCode: status };
  }
}

/**
 * The plain HTTPS URL of a public object: path-style below a custom endpoint, virtual-hosted on AWS.
 *
 * @example
 * publicObjectUrl({ bucket: 'desidata', key: 'dr1/a b.fits' }) // 'https://desidata.s3.us-west-2.amazonaws.com/dr1/a%20b.fits'
 */
export function publicObjectUrl(location: S3Location, o: { endpoint?: string; region?: string } = {}): string {
  const key = location.key.split('/').map(encodeURIComponent).join('/');
  if (o.endpoint) return `${o.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(location.bucket)}/${key}`;
  return `https://${location.bucket}.s3.${o.region ?? 'us-west-2'}.amazonaws.com/${key}`;
}

/** undici takes the origin and the path separately. */
function originAndPath(url: string): { origin: string; path: string } {
  const u = new URL(url);
  return { origin: u.origin, path: `${u.pathname}${u.search}` };
}

/** The object changed while it was being read (its ETag no longer matches). */
export class ObjectChangedError extends Error {
  constructor(readonly location: S3Location) {
    super(`s3://${location.bucket}/${location.key} changed while being read (ETag mismatch)`);
    this.name = 'ObjectChangedError';
  }
}

/**
 * A fits-reader {@link ByteSource} over ranged GETs of one S3 object: exact ranges merged only
 * across small gaps (64 KiB by default), small reads such as header walks extended to 64 KiB, several
 * ranges in flight, a bounded cache, and every request pinned to the object's ETag with If-Match, so
 * an object that changes mid-read fails loudly instead of mixing two versions.
 *
 * @example
 * const src = await S3RangeSource.open(createPublicClient(), { bucket: 'desidata', key: '…/coadd-main-dark-10016.fits' });
 * const fits = await openFits(src);
 */
export class S3RangeSource implements ByteSource {
  private readonly cache: RangeCache;
  /** Origin and path of `objectUrl`, parsed once. */
  private readonly target?: { origin: string; path: string };
  private readonly dispatcher?: Dispatcher;
  readonly name: string;

  private constructor(
    private readonly client: S3Client | undefined,
    readonly location: S3Location,
    readonly size: number,
    readonly etag: string | undefined,
    private readonly opts: S3RangeSourceOptions,
  ) {
    if (opts.objectUrl) this.target = originAndPath(opts.objectUrl);
    this.dispatcher = opts.dispatcher;
    this.name = `s3://${location.bucket}/${location.key}`;
    this.cache = new RangeCache(
      () => this.size,
      (o, l) => this.get(o, l),
      opts,
    );
  }

  static async open(client: S3Client | undefined, location: S3Location, opts: S3RangeSourceOptions = {}): Promise<S3RangeSource> {
    let { size, etag } = opts;
    if (size === undefined) {
      if (!client) throw new Error(`s3://${location.bucket}/${location.key}: opening without a size needs an S3 client (for HEAD)`);
      const { HeadObjectCommand } = await sdk();
      const h = await withRetry(() => client.send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.key })), opts.retry);
      size = Number(h.ContentLength ?? 0);
      etag = h.ETag;
    }
    return new S3RangeSource(client, location, size, etag, opts);
  }

  /** Requests sent and bytes received. */
  get stats(): RangeStats {
    return this.cache.stats;
  }

  private async get(offset: number, length: number): Promise<Uint8Array> {
    if (this.target) return this.fetchRange(this.target, offset, length);
    return withRetry(() => this.sdkRange(offset, length), this.opts.retry);
  }

  private async sdkRange(offset: number, length: number): Promise<Uint8Array> {
    try {
      if (!this.client) throw new Error(`${this.name}: the SDK transport needs an S3 client (or give objectUrl)`);
      const { GetObjectCommand } = await sdk();
      const res = await this.client.send(
        new GetObjectCommand({
          Bucket: this.location.bucket,
          Key: this.location.key,
          Range: `bytes=${offset}-${offset + length - 1}`,
          IfMatch: this.etag,
        }),
      );
      const refused = rangeStatusError(res.$metadata.httpStatusCode ?? 206, { file: this.name, offset, length });
      if (refused) {
        (res.Body as { destroy?: () => void } | undefined)?.destroy?.();
        throw refused;
      }
      const bytes = await (res.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
      if (bytes.length !== Math.min(length, this.size - offset))
        throw new Error(`${this.name}: range ${offset}+${length} returned ${bytes.length} bytes`);
      return bytes;
    } catch (e) {
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 412) throw new ObjectChangedError(this.location);
      throw e;
    }
  }

  /**
   * One range over plain HTTP, pinned to the ETag, retried under the source's policy on throttling,
   * server errors, timeouts and connections that fail or end early.
   */
  private async fetchRange(target: { origin: string; path: string }, offset: number, length: number): Promise<Uint8Array> {
    const want = Math.min(length, this.size - offset);
    const headers: Record<string, string> = { range: `bytes=${offset}-${offset + want - 1}` };
    if (this.etag) headers['if-match'] = this.etag;
    const dispatcher = this.dispatcher ?? defaultDispatcher(this.opts.timeouts);
    const where = `${this.name}: range ${offset}+${want}`;
    return withRetry(async () => {
      let res: RangeResponse;
      try {
        res = await rangeGet(dispatcher, target, headers, want);
      } catch (e) {
        throw new Error(`${where}: ${(e as Error).message}`, { cause: e });
      }
      if (res.status === 412) throw new ObjectChangedError(this.location);
      if (isTransientStatus(res.status)) throw new HttpStatusError(`${where}: HTTP ${res.status}`, res.status);
      // A 200 (Range ignored) or any other status: refused as every range source refuses it.
      const refused = rangeStatusError(res.status, { file: this.name, offset, length: want });
      if (refused) throw refused;
      const bytes = res.body;
      if (!bytes || bytes.length !== want) throw new Error(`${where} returned ${bytes?.length ?? 0} bytes`);
      return bytes;
    }, this.opts.retry);
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    return this.cache.read(offset, length);
  }

  prefetch(ranges: ReadonlyArray<{ offset: number; length: number }>): void {
    this.cache.prefetch(ranges);
  }
}
