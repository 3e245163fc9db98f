import type { ByteSource } from '@desi/fits-reader';

/** A ByteSource that counts the bytes and reads passed through it (the "bytes read per product" report). */
export class CountingSource implements ByteSource {
  bytes = 0;
  reads = 0;
  readonly size: number;
  readonly name?: string;
  readInto?: (offset: number, dest: Uint8Array) => Promise<number>;
  prefetch?: (ranges: ReadonlyArray<{ offset: number; length: number }>) => void;

  constructor(private readonly inner: ByteSource) {
    this.size = inner.size;
    this.name = inner.name;
    if (inner.readInto) {
      const readInto = inner.readInto.bind(inner);
      this.readInto = async (offset, dest) => {
        const n = await readInto(offset, dest);
        this.bytes += n;
        this.reads++;
        return n;
      };
    }
    if (inner.prefetch) this.prefetch = inner.prefetch.bind(inner);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const out = await this.inner.read(offset, length);
    this.bytes += out.length;
    this.reads++;
    return out;
  }

  close(): Promise<void> {
    return this.inner.close?.() ?? Promise.resolve();
  }
}
