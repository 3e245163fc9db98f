import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Write a file whole or not at all: to `<path>.tmp-<tag>-<pid>`, flushed, then renamed. The tag lets
 * a run remove its own leftovers after a crash without touching another shard's files in progress.
 * (The packages' whole-buffer writes use write-file-atomic; this one streams the encoder's pieces and
 * names its temporary file so a killed run's leftovers can be found.)
 */
export async function writeAtomic(path: string, data: string | Uint8Array | Uint8Array[], tag = 'all'): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${tag}-${process.pid}`;
  try {
    // The pieces of a file as encoded, written in order without joining them first, then flushed to
    // the disk before the rename: a crash never leaves a named file whose bytes are not all there.
    const pieces = Array.isArray(data) ? data : [typeof data === 'string' ? Buffer.from(data) : data];
    const fh = await open(tmp, 'w');
    try {
      for (let i = 0; i < pieces.length; i += 512) await fh.writev(pieces.slice(i, i + 512));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    // A half-written file (a full disk, a failed rename) never stays behind.
    await rm(tmp, { force: true });
    throw e;
  }
}
