import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Write a file whole or not at all: to `<path>.tmp-<tag>-<pid>`, then renamed. The tag lets a run
 * remove its own leftovers after a crash without touching another shard's files in progress.
 */
export async function writeAtomic(path: string, data: string | Uint8Array, tag = 'all'): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${tag}-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}
