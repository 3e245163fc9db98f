import { FitsError } from '../errors.js';
import type { ByteSource } from './byte-source.js';
import { RangeCache, type RangeCacheOptions, type RangeStats } from './range-cache.js';
import { rangeStatusError } from './range-response.js';

/** Options of {@link HttpRangeSource}. */
export interface HttpSourceOptions extends RangeCacheOptions {
  /** Extra request headers (e.g. authorisation for private archives). */
  headers?: Record<string, string>;
  /** The fetch implementation (defaults to the global one). */
  fetch?: typeof fetch;
}

function parseTotal(contentRange: string | null): number | undefined {
  const m = contentRange ? /\/(\d+)\s*$/.exec(contentRange) : null;
  return m ? Number(m[1]) : undefined;
}

/**
 * A {@link ByteSource} over HTTP(S) range requests. Opening sends one ranged GET, which learns the
 * size and warms the cache with the first 64 KiB; a server that ignores Range (answers 200) is refused,
 * since reading a 1 GB file whole is exactly what this source exists to avoid.
 *
 * @example
 * const src = await HttpRangeSource.open('https://data.desi.lbl.gov/public/dr1/…/coadd-main-dark-10016.fits');
 * const fits = await openFits(src);
 */
export class HttpRangeSource implements ByteSource {
  size = 0;
  private readonly cache: RangeCache;
  private readonly fetchImpl: typeof fetch;

  private constructor(
    readonly name: string,
    private readonly opts: HttpSourceOptions,
  ) {
    // Browsers require fetch to be called with the global as `this`.
    this.fetchImpl = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.cache = new RangeCache(
      () => this.size,
      (o, l) => this.get(o, l),
      opts,
    );
  }

  static async open(url: string | URL, opts: HttpSourceOptions = {}): Promise<HttpRangeSource> {
    const s = new HttpRangeSource(String(url), opts);
    const first = opts.minRead ?? 64 << 10;
    const res = await s.request(0, first);
    s.size = parseTotal(res.headers.get('content-range')) ?? 0;
    s.cache.seed(0, new Uint8Array(await res.arrayBuffer()));
    return s;
  }

  /** Requests sent and bytes received so far. */
  get stats(): RangeStats {
    return this.cache.stats;
  }

  private async request(offset: number, length: number): Promise<Response> {
    let res: Response;
    try {
      res = await this.fetchImpl(this.name, { headers: { ...this.opts.headers, Range: `bytes=${offset}-${offset + length - 1}` } });
    } catch (e) {
      throw new FitsError('io', `HTTP request failed: ${(e as Error).message}`, { file: this.name, offset, cause: e });
    }
    const error = rangeStatusError(res.status, { file: this.name, offset, length, statusText: res.statusText });
    if (error) {
      await res.body?.cancel();
      throw error;
    }
    return res;
  }

  private async get(offset: number, length: number): Promise<Uint8Array> {
    const res = await this.request(offset, length);
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.length !== Math.min(length, this.size - offset)) {
      throw new FitsError('io', `HTTP range returned ${bytes.length} bytes, expected ${length}`, { file: this.name, offset });
    }
    return bytes;
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    return this.cache.read(offset, length);
  }

  prefetch(ranges: ReadonlyArray<{ offset: number; length: number }>): void {
    this.cache.prefetch(ranges);
  }
}
