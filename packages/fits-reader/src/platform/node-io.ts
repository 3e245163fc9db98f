/**
 * What only Node has, resolved through the package's `#platform-io` import: local files and native
 * zlib. Browser bundles resolve the same specifier to `browser-io.ts`, so no Node built-in ever
 * enters their module graph.
 */
import type { ByteSource } from '../source/byte-source.js';
import { FileSource } from '../source/file-source.js';
import type { Inflater } from '../source/gzip-source.js';
import { nodeInflate as inflate } from '../source/node-inflate.js';

/** A local file as a byte source. */
export function openLocalFile(path: string): Promise<ByteSource> {
  return FileSource.open(path);
}

/** Node's zlib inflater (faster than DecompressionStream; multi-member gzip). */
export const nodeInflate: Inflater | undefined = inflate;
