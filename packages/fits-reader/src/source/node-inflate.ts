import type { Gunzip } from 'node:zlib';
import { createGunzip } from 'node:zlib';
import type { Inflater } from './gzip-source.js';

/** Resolve when the stream wants more input (or is gone), leaving no listener behind. */
function drained(gunzip: Gunzip): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      gunzip.off('drain', done);
      gunzip.off('close', done);
      resolve();
    };
    gunzip.on('drain', done);
    gunzip.on('close', done);
  });
}

/** Node's native zlib: faster than DecompressionStream and reads multi-member gzip files whole. */
export const nodeInflate: Inflater = async function* (input) {
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  const feed = (async () => {
    try {
      for await (const c of input) {
        if (!gunzip.write(c)) await drained(gunzip);
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
