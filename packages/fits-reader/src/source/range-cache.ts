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

interface Span {
  offset: number;
  end: number;
}

interface Segment extends Span {
  bytes: Uint8Array;
  /** Last use, for least-recently-used eviction. */
  used: number;
}

interface Pending extends Span {
  promise: Promise<Segment>;
}

/** Counters of remote traffic. */
export interface RangeStats {
  requests: number;
  bytesFetched: number;
}

/** Index of the first span whose offset is greater than `offset` (spans sorted by offset). */
function upperBound(spans: readonly Span[], offset: number): number {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (spans[mid].offset <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A span holding [offset, end): binary search, then a short look back over spans that start earlier
 * (ranges rarely overlap; a miss only costs another request, never a wrong answer).
 */
function covering<T extends Span>(spans: readonly T[], offset: number, end: number): T | undefined {
  const i = upperBound(spans, offset);
  for (let j = i - 1; j >= 0 && j >= i - 8; j--) if (spans[j].end >= end) return spans[j];
  return undefined;
}

/** The span reaching furthest past `at` among those that start at or before it (a short look back). */
function furthest<T extends Span>(spans: readonly T[], at: number): T | undefined {
  const i = upperBound(spans, at);
  let best: T | undefined;
  for (let j = i - 1; j >= 0 && j >= i - 8; j--) if (spans[j].end > at && (!best || spans[j].end > best.end)) best = spans[j];
  return best;
}

function insertSorted<T extends Span>(spans: T[], s: T): void {
  spans.splice(upperBound(spans, s.offset), 0, s);
}

function removeSorted<T extends Span>(spans: T[], s: T): void {
  for (let j = upperBound(spans, s.offset) - 1; j >= 0; j--) {
    if (spans[j] === s) {
      spans.splice(j, 1);
      return;
    }
    if (spans[j].offset !== s.offset) return;
  }
}

/**
 * The part every remote source shares: exact ranges merged across small gaps, speculative minimum
 * reads, a bounded LRU of fetched segments, de-duplication of ranges already in flight, and a
 * concurrency limit. Segments and requests in flight are kept sorted by offset, so a pixel's
 * thousands of row reads each find their bytes by binary search.
 */
export class RangeCache {
  readonly stats: RangeStats = { requests: 0, bytesFetched: 0 };
  private readonly segments: Segment[] = [];
  private cached = 0;
  private clock = 0;
  private readonly inflight = new Map<string, Pending>();
  private readonly pending: Pending[] = [];
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
    const s = covering(this.segments, offset, end);
    if (s) s.used = ++this.clock;
    return s;
  }

  /**
   * [offset, end) joined from cached segments that meet or overlap (a read straddling two earlier
   * requests, such as a long header read in two minimum reads): a copy, or undefined at a hole.
   */
  private assemble(offset: number, end: number): Uint8Array | undefined {
    const parts: Segment[] = [];
    for (let at = offset; at < end; ) {
      const s = furthest(this.segments, at);
      if (!s || parts.length >= 64) return undefined;
      parts.push(s);
      at = s.end;
    }
    const out = new Uint8Array(end - offset);
    for (const s of parts) {
      s.used = ++this.clock;
      const from = Math.max(offset, s.offset);
      const to = Math.min(end, s.end);
      out.set(s.bytes.subarray(from - s.offset, to - s.offset), from - offset);
    }
    return out;
  }

  private keep(offset: number, bytes: Uint8Array): Segment {
    const s: Segment = { offset, end: offset + bytes.length, bytes, used: ++this.clock };
    insertSorted(this.segments, s);
    this.cached += bytes.length;
    while (this.cached > this.limit && this.segments.length > 1) {
      let old = this.segments[0];
      for (const c of this.segments) if (c.used < old.used && c !== s) old = c;
      removeSorted(this.segments, old);
      this.cached -= old.bytes.length;
    }
    return s;
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
      const entry: Pending = {
        offset,
        end: offset + length,
        promise: this.slot(async () => {
          const bytes = await this.fetcher(offset, length);
          this.stats.requests++;
          this.stats.bytesFetched += bytes.length;
          return this.keep(offset, bytes);
        }).finally(() => {
          this.inflight.delete(key);
          removeSorted(this.pending, entry);
        }),
      };
      p = entry;
      this.inflight.set(key, p);
      insertSorted(this.pending, p);
    }
    return p.promise;
  }

  /** Keep bytes fetched outside the cache (e.g. by a probe request), counting them as one request. */
  seed(offset: number, bytes: Uint8Array): void {
    this.stats.requests++;
    this.stats.bytesFetched += bytes.length;
    this.keep(offset, bytes);
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
    const joined = this.assemble(offset, end);
    if (joined) return joined;
    const coming = covering(this.pending, offset, end);
    if (coming) {
      const s = await coming.promise;
      return s.bytes.subarray(offset - s.offset, end - s.offset);
    }
    const fetchEnd = Math.min(size, Math.max(end, offset + this.minRead));
    const s = await this.fetch(offset, fetchEnd - offset);
    return s.bytes.subarray(0, end - offset);
  }
}
