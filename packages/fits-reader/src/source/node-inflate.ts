import { createGunzip } from 'node:zlib';
import type { Inflater } from './gzip-source.js';

/** Node's native zlib: faster than DecompressionStream and reads multi-member gzip files whole. */
export const nodeInflate: Inflater = async function* (input) {
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  const feed = (async () => {
    try {
      for await (const c of input) {
        if (!gunzip.write(c))
          await new Promise((r) => {
            gunzip.once('drain', r);
            gunzip.once('close', r);
          });
        if (gunzip.destroyed) return;
      }
      gunzip.end();
    } catch (e) {
      gunzip.destroy(e as Error);
    }
  })();
  try {
    for await (const chunk of gunzip) yield chunk as Uint8Array;
  } finally {
    gunzip.destroy();
    await feed;
  }
};
