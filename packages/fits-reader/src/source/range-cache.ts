import { type ByteRange, coalesceRanges } from '../util/ranges.js';

/** Fetches one byte range from somewhere remote. */
export type RangeFetcher = (offset: number, length: number) => Promise<Uint8Array>;

/** Options shared by remote range sources (HTTP, S3). */
export interface RangeCacheOptions {
  /** Gaps up to this many bytes are fetched rather than split into two requests (default 64 KiB). */
  maxGap?: number;
  /** Smallest request; small reads such as header walks are extended to this size (default 64 KiB). */
  minRead?: number;
  /** Bytes of fetched ranges kept (default 32 MiB). */
  cacheBytes?: number;
  /** Requests in flight at once (default 6). */
  concurrency?: number;
}

interface Segment {
  offset: number;
  bytes: Uint8Array;
}

/** Counters of remote traffic. */
export interface RangeStats {
  requests: number;
  bytesFetched: number;
}

/**
 * The part every remote source shares: exact ranges merged across small gaps, speculative minimum
 * reads, a bounded LRU of fetched segments, de-duplication of ranges already in flight, and a
 * concurrency limit.
 */
export class RangeCache {
  readonly stats: RangeStats = { requests: 0, bytesFetched: 0 };
  private readonly segments: Segment[] = [];
  private cached = 0;
  private readonly inflight = new Map<string, Promise<Segment>>();
  private active = 0;
  private readonly queue: Array<() => void> = [];
  private readonly maxGap: number;
  private readonly minRead: number;
  private readonly limit: number;
  private readonly concurrency: number;

  constructor(
    private readonly size: () => number,
    private readonly fetcher: RangeFetcher,
    opts: RangeCacheOptions = {},
  ) {
    this.maxGap = opts.maxGap ?? 64 << 10;
    this.minRead = opts.minRead ?? 64 << 10;
    this.limit = opts.cacheBytes ?? 32 << 20;
    this.concurrency = Math.max(1, opts.concurrency ?? 6);
  }

  private find(offset: number, end: number): Segment | undefined {
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const s = this.segments[i];
      if (s.offset <= offset && s.offset + s.bytes.length >= end) {
        if (i !== this.segments.length - 1) {
          this.segments.splice(i, 1);
          this.segments.push(s);
        }
        return s;
      }
    }
    return undefined;
  }

  private keep(s: Segment) {
    this.segments.push(s);
    this.cached += s.bytes.length;
    while (this.cached > this.limit && this.segments.length > 1) {
      const old = this.segments.shift()!;
      this.cached -= old.bytes.length;
    }
  }

  private async slot<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency) await new Promise<void>((r) => this.queue.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }

  private fetch(offset: number, length: number): Promise<Segment> {
    const key = `${offset}:${length}`;
    let p = this.inflight.get(key);
    if (!p) {
      p = this.slot(async () => {
        const bytes = await this.fetcher(offset, length);
        this.stats.requests++;
        this.stats.bytesFetched += bytes.length;
        const seg = { offset, bytes };
        this.keep(seg);
        return seg;
      }).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  /** Keep bytes fetched outside the cache (e.g. by a probe request), counting them as one request. */
  seed(offset: number, bytes: Uint8Array): void {
    this.stats.requests++;
    this.stats.bytesFetched += bytes.length;
    this.keep({ offset, bytes });
  }

  /** Start fetching these ranges (merged across small gaps) without waiting. */
  prefetch(ranges: readonly ByteRange[]): void {
    for (const r of coalesceRanges(ranges, this.maxGap)) {
      const end = Math.min(this.size(), r.offset + r.length);
      if (end <= r.offset || this.find(r.offset, end)) continue;
      this.fetch(r.offset, end - r.offset).catch(() => {});
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const size = this.size();
    const end = Math.min(size, offset + length);
    if (end <= offset) return new Uint8Array(0);
    const hit = this.find(offset, end);
    if (hit) return hit.bytes.subarray(offset - hit.offset, end - hit.offset);
    for (const [key, p] of this.inflight) {
      const [o, l] = key.split(':').map(Number);
      if (o <= offset && o + l >= end) {
        const s = await p;
        return s.bytes.subarray(offset - s.offset, end - s.offset);
      }
    }
    const fetchEnd = Math.min(size, Math.max(end, offset + this.minRead));
    const s = await this.fetch(offset, fetchEnd - offset);
    return s.bytes.subarray(0, end - offset);
  }
}
