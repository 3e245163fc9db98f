/**
 * The `#platform-io` import outside Node (browsers, workers, other runtimes): no local files, and
 * gzip through the platform's DecompressionStream.
 */
import { FitsError } from '../errors.js';
import type { ByteSource } from '../source/byte-source.js';
import type { Inflater } from '../source/gzip-source.js';

/** Local paths need Node: say what to pass instead. */
export function openLocalFile(path: string): Promise<ByteSource> {
  return Promise.reject(
    new FitsError('bad-argument', `a local path needs Node (${path}): pass bytes, a Blob, a File or an http(s) URL`, { file: path }),
  );
}

/** No native inflater here: GzipSource uses DecompressionStream. */
export const nodeInflate: Inflater | undefined = undefined;
