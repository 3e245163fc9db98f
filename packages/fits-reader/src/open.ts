import { FitsError } from './errors.js';
import { FitsFile, type OpenOptions } from './fits-file.js';
import { BlobSource, BufferSource, type ByteSource } from './source/byte-source.js';
import { GzipSource, type GzipSourceOptions, isGzip } from './source/gzip-source.js';
import { HttpRangeSource, type HttpSourceOptions } from './source/http-source.js';

/** Options of {@link openFits}. */
export interface OpenFitsOptions extends OpenOptions {
  /** Options for `http(s)://` inputs. */
  http?: HttpSourceOptions;
  /** Options for whole-file gzip inputs (detected by magic bytes, not by name). */
  gzip?: GzipSourceOptions;
}

/** What {@link openFits} accepts: a path or URL, bytes, a Blob, or any {@link ByteSource}. */
export type FitsInput = string | URL | Uint8Array | ArrayBuffer | Blob | ByteSource;

function isByteSource(x: unknown): x is ByteSource {
  return typeof x === 'object' && x !== null && typeof (x as ByteSource).read === 'function' && typeof (x as ByteSource).size === 'number';
}

async function toSource(input: FitsInput, opts: OpenFitsOptions): Promise<ByteSource> {
  if (input instanceof Uint8Array) return new BufferSource(input);
  if (input instanceof ArrayBuffer) return new BufferSource(new Uint8Array(input));
  if (typeof Blob !== 'undefined' && input instanceof Blob) return new BlobSource(input);
  if (isByteSource(input)) return input;
  const text = String(input);
  if (/^https?:\/\//i.test(text)) return HttpRangeSource.open(text, opts.http);
  if (input instanceof URL && input.protocol !== 'file:') {
    throw new FitsError('bad-argument', `unsupported URL scheme ${input.protocol}`, { file: text });
  }
  // Local paths need Node: `#platform-io` is Node's file access there and a clear error elsewhere.
  const { openLocalFile } = await import('#platform-io');
  return openLocalFile(input instanceof URL ? decodeURIComponent(input.pathname) : text);
}

async function defaultInflater(opts: OpenFitsOptions): Promise<GzipSourceOptions> {
  if (opts.gzip?.inflate) return opts.gzip;
  const { nodeInflate } = await import('#platform-io');
  return nodeInflate ? { ...opts.gzip, inflate: nodeInflate } : (opts.gzip ?? {});
}

/**
 * Open a FITS file from a path, an `http(s)://` URL (range reads), bytes, a Blob or a
 * {@link ByteSource}. Whole-file gzip is detected by its magic bytes. Only the primary header is read.
 *
 * @example
 * const fits = await openFits('coadd-main-dark-10016.fits');
 * for (const h of await fits.hdus()) console.log(h.index, h.name, h.kind, h.shape ?? h.numRows);
 */
export async function openFits(input: FitsInput, opts: OpenFitsOptions = {}): Promise<FitsFile> {
  let src = await toSource(input, opts);
  try {
    if (src.size === 0) throw new FitsError('not-fits', 'the file is empty', { file: src.name });
    const head = await src.read(0, 2);
    if (isGzip(head)) src = await GzipSource.open(src, await defaultInflater(opts));
    return await FitsFile.fromSource(src, opts);
  } catch (e) {
    await src.close?.().catch(() => {});
    if (e instanceof FitsError) throw e.withFile(src.name);
    throw e;
  }
}
