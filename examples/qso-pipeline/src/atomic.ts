import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Write a file whole or not at all: to `<path>.tmp-<tag>-<pid>`, then renamed. The tag lets a run
 * remove its own leftovers after a crash without touching another shard's files in progress.
 */
export async function writeAtomic(path: string, data: string | Uint8Array | Uint8Array[], tag = 'all'): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${tag}-${process.pid}`;
  try {
    if (Array.isArray(data)) {
      // The pieces of a file as encoded, written in order without joining them first.
      const fh = await open(tmp, 'w');
      try {
        for (let i = 0; i < data.length; i += 512) await fh.writev(data.slice(i, i + 512));
      } finally {
        await fh.close();
      }
    } else await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    // A half-written file (a full disk, a failed rename) never stays behind.
    await rm(tmp, { force: true });
    throw e;
  }
}
