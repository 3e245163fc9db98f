import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type ByteSource, RangeCache, type RangeCacheOptions, type RangeStats } from '@desi/fits-reader';
import type { S3Location } from './location.js';

/** Options of {@link S3RangeSource}. */
export interface S3RangeSourceOptions extends RangeCacheOptions {
  /** Known size and ETag (from a listing) save the HEAD request. */
  size?: number;
  etag?: string;
  /**
   * The object's public URL (see {@link publicObjectUrl}): ranged GETs then go out as plain unsigned
   * `fetch` requests instead of SDK commands, about half the client CPU per request, which is what
   * bounds a pixel read as hundreds of small ranges. Public objects only; the SDK path signs.
   */
  objectUrl?: string;
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

/** Statuses worth another try (S3's throttling and transient server errors). */
const RETRYABLE = new Set([429, 500, 502, 503, 504]);

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
  private readonly objectUrl?: string;
  readonly name: string;

  private constructor(
    private readonly client: S3Client,
    readonly location: S3Location,
    readonly size: number,
    readonly etag: string | undefined,
    opts: S3RangeSourceOptions,
  ) {
    this.objectUrl = opts.objectUrl;
    this.name = `s3://${location.bucket}/${location.key}`;
    this.cache = new RangeCache(
      () => this.size,
      (o, l) => this.get(o, l),
      opts,
    );
  }

  static async open(client: S3Client, location: S3Location, opts: S3RangeSourceOptions = {}): Promise<S3RangeSource> {
    let { size, etag } = opts;
    if (size === undefined) {
      const h = await client.send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.key }));
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
    if (this.objectUrl) return this.fetchRange(this.objectUrl, offset, length);
    try {
      const res = await this.client.send(
        new GetObjectCommand({
          Bucket: this.location.bucket,
          Key: this.location.key,
          Range: `bytes=${offset}-${offset + length - 1}`,
          IfMatch: this.etag,
        }),
      );
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

  /** One range over plain HTTP, pinned to the ETag, retried like the SDK (3 attempts, backoff). */
  private async fetchRange(url: string, offset: number, length: number): Promise<Uint8Array> {
    const want = Math.min(length, this.size - offset);
    const headers: Record<string, string> = { range: `bytes=${offset}-${offset + want - 1}` };
    if (this.etag) headers['if-match'] = this.etag;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, { headers });
      } catch (e) {
        if (attempt < 3) {
          await new Promise((r) => setTimeout(r, 100 * 2 ** attempt * Math.random()));
          continue;
        }
        throw new Error(`${this.name}: range ${offset}+${want}: ${(e as Error).message}`, { cause: e });
      }
      if (res.status === 412) throw new ObjectChangedError(this.location);
      if (RETRYABLE.has(res.status) && attempt < 3) {
        await res.body?.cancel();
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt * Math.random()));
        continue;
      }
      if (res.status !== 206 && res.status !== 200) {
        await res.body?.cancel();
        throw new Error(`${this.name}: range ${offset}+${want}: HTTP ${res.status}`);
      }
      let bytes = new Uint8Array(await res.arrayBuffer());
      // A 200 is the whole object (a server without range support): keep the asked part.
      if (res.status === 200) bytes = bytes.subarray(offset, offset + want);
      if (bytes.length !== want) throw new Error(`${this.name}: range ${offset}+${want} returned ${bytes.length} bytes`);
      return bytes;
    }
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    return this.cache.read(offset, length);
  }

  prefetch(ranges: ReadonlyArray<{ offset: number; length: number }>): void {
    this.cache.prefetch(ranges);
  }
}
