import { readSync } from 'node:fs';
import { type FileHandle, open as openFile } from 'node:fs/promises';
import { FitsError } from '../errors.js';
import type { ByteSource } from './byte-source.js';

/**
 * A {@link ByteSource} over a local file (Node only). Reads go straight into the caller's buffer
 * through `readInto`, so images are read into their final memory with no intermediate copy.
 *
 * Reads are positioned `readSync` calls of at most 1 MiB: from the page cache that is 3–4× faster
 * than the thread-pool `FileHandle.read` (≈70 µs of overhead a call), and each call blocks the event
 * loop for well under a millisecond. Pass `{ async: true }` to use the thread pool instead.
 *
 * @example
 * const src = await FileSource.open('coadd-main-dark-10016.fits');
 */
const SLICE = 1 << 20;

export class FileSource implements ByteSource {
  private constructor(
    private readonly fh: FileHandle,
    readonly size: number,
    readonly name: string,
    private readonly async: boolean,
  ) {}

  static async open(path: string, opts: { async?: boolean } = {}): Promise<FileSource> {
    let fh: FileHandle;
    try {
      fh = await openFile(path, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new FitsError(code === 'ENOENT' ? 'not-found' : 'io', `cannot open file: ${(e as Error).message}`, { file: path, cause: e });
    }
    const st = await fh.stat();
    if (!st.isFile()) {
      await fh.close();
      throw new FitsError('io', 'not a regular file', { file: path });
    }
    return new FileSource(fh, st.size, path, opts.async ?? false);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const n = Math.max(0, Math.min(length, this.size - offset));
    const buf = new Uint8Array(n);
    const got = await this.readInto(offset, buf);
    return got === n ? buf : buf.subarray(0, got);
  }

  /** Fill `dest` from `offset`; returns the bytes read (fewer only at end of file). */
  async readInto(offset: number, dest: Uint8Array): Promise<number> {
    let done = 0;
    while (done < dest.length) {
      const want = Math.min(SLICE, dest.length - done);
      const n = this.async
        ? (await this.fh.read(dest, done, want, offset + done)).bytesRead
        : readSync(this.fh.fd, dest, done, want, offset + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
