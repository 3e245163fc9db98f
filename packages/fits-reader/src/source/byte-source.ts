import { FitsError } from '../errors.js';

/**
 * Random access to the bytes of one file, wherever they live. `read` past the end returns the bytes
 * that exist (a shorter array), never padding.
 *
 * @example
 * const src: ByteSource = { size: buf.length, read: async (o, n) => buf.subarray(o, o + n) };
 */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Optional hint that these ranges will be read soon, so a remote source can fetch them together. */
  prefetch?(ranges: ReadonlyArray<{ offset: number; length: number }>): void;
  /**
   * Optional zero-copy read: fill `dest` with the bytes at `offset` and return how many were read
   * (fewer only at the end of the file). Readers use it to reuse one scratch buffer.
   */
  readInto?(offset: number, dest: Uint8Array): Promise<number>;
  /** Optional human-readable name (a path or URL), used in error messages. */
  readonly name?: string;
  close?(): Promise<void>;
}

/** A source over bytes already in memory. Reads are zero-copy views. */
export class BufferSource implements ByteSource {
  readonly size: number;
  constructor(
    private readonly bytes: Uint8Array,
    readonly name?: string,
  ) {
    this.size = bytes.length;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    return this.bytes.subarray(offset, Math.min(this.size, offset + length));
  }
}

/** A source over a browser (or Node ≥ 20) `Blob`/`File`, read by slices. */
export class BlobSource implements ByteSource {
  readonly size: number;
  readonly name?: string;
  constructor(private readonly blob: Blob) {
    this.size = blob.size;
    this.name = (blob as { name?: string }).name;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(this.size, offset + length);
    if (end <= offset) return new Uint8Array(0);
    return new Uint8Array(await this.blob.slice(offset, end).arrayBuffer());
  }
}

/**
 * Read exactly `length` bytes or fail with a `truncated` error that names the offset. Sources may
 * return fewer bytes than asked at the end of the file; this turns that into an error.
 */
export async function readExact(src: ByteSource, offset: number, length: number, what: string, hdu?: number): Promise<Uint8Array> {
  if (length === 0) return new Uint8Array(0);
  const end = offset + length;
  if (end > src.size) {
    throw new FitsError('truncated', `${what} needs bytes ${offset}–${end} but the file has only ${src.size} bytes (truncated file)`, {
      hdu,
      offset: src.size,
    });
  }
  const out = await src.read(offset, length);
  if (out.length < length) {
    throw new FitsError('truncated', `${what}: the source returned ${out.length} of ${length} bytes (truncated file)`, {
      hdu,
      offset: offset + out.length,
    });
  }
  return out;
}

/**
 * Read `length` bytes at `offset` into `scratch` when the source supports `readInto` and the
 * scratch is large enough (no allocation per chunk); otherwise fall back to {@link readExact}.
 */
export async function readChunk(
  src: ByteSource,
  offset: number,
  length: number,
  scratch: Uint8Array | undefined,
  what: string,
  hdu?: number,
): Promise<Uint8Array> {
  if (src.readInto && scratch && scratch.length >= length && offset + length <= src.size) {
    const view = scratch.subarray(0, length);
    const got = await src.readInto(offset, view);
    if (got === length) return view;
  }
  return readExact(src, offset, length, what, hdu);
}
