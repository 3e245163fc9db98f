import { FitsError } from '../errors.js';
import type { ByteSource } from './byte-source.js';

/** Turns a stream of compressed chunks into decompressed chunks; errors on corrupt data or bad CRC. */
export type Inflater = (input: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array>;

/** Options of {@link GzipSource}. */
export interface GzipSourceOptions {
  /** Decompressed bytes kept in memory (default 512 MiB); beyond it, blocks are re-inflated on demand. */
  cacheBytes?: number;
  /** The inflater; defaults to the platform's `DecompressionStream('gzip')`. */
  inflate?: Inflater;
}

const BLOCK = 1 << 20;
const READ = 1 << 20;

/** True when the bytes start with the gzip magic number. */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Inflate with the standard `DecompressionStream`, available in browsers and Node ≥ 18. */
export const webInflate: Inflater = async function* (input) {
  const ds = new DecompressionStream('gzip');
  const writer = ds.writable.getWriter();
  const pump = (async () => {
    try {
      for await (const c of input) await writer.write(c as Uint8Array<ArrayBuffer>);
      await writer.close();
    } catch (e) {
      await writer.abort(e).catch(() => {});
    }
  })();
  const reader = ds.readable.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield value;
    }
  } finally {
    // Cancelling (not just releasing) unblocks a writer waiting on backpressure when we stop early.
    await reader.cancel().catch(() => {});
    await pump;
  }
};

async function* chunksOf(src: ByteSource): AsyncIterable<Uint8Array> {
  for (let o = 0; o < src.size; o += READ) yield await src.read(o, READ);
}

/**
 * Random access to the decompressed bytes of a whole-file gzip. Opening inflates the stream once
 * (to learn the size and check the CRC) keeping up to `cacheBytes` of 1 MiB blocks; reads of blocks
 * that were evicted inflate again from the start, so memory stays bounded for files of any size.
 */
export class GzipSource implements ByteSource {
  size = 0;
  readonly name?: string;
  private readonly blocks = new Map<number, Uint8Array>();
  private cached = 0;
  private readonly limit: number;
  private readonly inflate: Inflater;

  private constructor(
    private readonly compressed: ByteSource,
    opts: GzipSourceOptions,
  ) {
    this.name = compressed.name;
    this.limit = opts.cacheBytes ?? 512 << 20;
    this.inflate = opts.inflate ?? webInflate;
  }

  /** Inflate once, checking the stream, and return a source over the decompressed bytes. */
  static async open(compressed: ByteSource, opts: GzipSourceOptions = {}): Promise<GzipSource> {
    const g = new GzipSource(compressed, opts);
    g.size = await g.scan(() => true);
    return g;
  }

  /** Walk the decompressed stream in 1 MiB blocks, offering each to the cache; stop when `want` says so. */
  private async scan(want: (block: number) => boolean): Promise<number> {
    let total = 0;
    let pending: Uint8Array[] = [];
    let pendingLen = 0;
    let block = 0;
    const flush = (final: boolean) => {
      while (pendingLen >= BLOCK || (final && pendingLen > 0)) {
        const size = Math.min(BLOCK, pendingLen);
        const b = new Uint8Array(size);
        let k = 0;
        while (k < size) {
          const head = pending[0];
          const take = Math.min(head.length, size - k);
          b.set(head.subarray(0, take), k);
          k += take;
          if (take === head.length) pending.shift();
          else pending[0] = head.subarray(take);
        }
        pendingLen -= size;
        this.offer(block, b);
        block++;
      }
    };
    try {
      for await (const chunk of this.inflate(chunksOf(this.compressed))) {
        total += chunk.length;
        pending.push(chunk);
        pendingLen += chunk.length;
        flush(false);
        if (!want(block)) return total;
      }
    } catch (e) {
      throw new FitsError(
        'bad-gzip',
        `gzip stream is corrupt or truncated after ${total} decompressed bytes (decompress failed: ${(e as Error).message})`,
        {
          offset: total,
          file: this.name,
          cause: e,
        },
      );
    }
    flush(true);
    pending = [];
    if (total === 0) throw new FitsError('bad-gzip', 'gzip stream decompresses to nothing', { file: this.name });
    return total;
  }

  private offer(block: number, bytes: Uint8Array) {
    if (this.blocks.has(block)) return;
    while (this.cached + bytes.length > this.limit && this.blocks.size > 0) {
      const [k, v] = this.blocks.entries().next().value as [number, Uint8Array];
      this.blocks.delete(k);
      this.cached -= v.length;
    }
    if (bytes.length > this.limit) return;
    this.blocks.set(block, bytes);
    this.cached += bytes.length;
  }

  private async block(i: number): Promise<Uint8Array> {
    let b = this.blocks.get(i);
    if (b) {
      // Refresh its place in the LRU order.
      this.blocks.delete(i);
      this.blocks.set(i, b);
      return b;
    }
    await this.scan((next) => next <= i);
    b = this.blocks.get(i);
    if (!b) throw new FitsError('io', `gzip block ${i} could not be re-read`, { file: this.name });
    return b;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(this.size, offset + length);
    if (end <= offset) return new Uint8Array(0);
    const first = Math.floor(offset / BLOCK);
    const last = Math.floor((end - 1) / BLOCK);
    if (first === last) {
      const b = await this.block(first);
      return b.subarray(offset - first * BLOCK, end - first * BLOCK);
    }
    const out = new Uint8Array(end - offset);
    for (let i = first; i <= last; i++) {
      const b = await this.block(i);
      const from = Math.max(offset, i * BLOCK) - i * BLOCK;
      const to = Math.min(end, (i + 1) * BLOCK) - i * BLOCK;
      out.set(b.subarray(from, to), i * BLOCK + from - offset);
    }
    return out;
  }

  async close(): Promise<void> {
    this.blocks.clear();
    await this.compressed.close?.();
  }
}
