import { type HduInput, type WriteOptions, writeFits } from './write.js';

/**
 * Write a FITS file atomically (Node): the bytes go to `path.tmp-…` first and are renamed into place,
 * so a crash never leaves a half-written file under the final name.
 */
export async function writeFitsFile(path: string, hdus: HduInput[], opts?: WriteOptions): Promise<void> {
  const { writeFile, rename, rm } = await import('node:fs/promises');
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    await writeFile(tmp, writeFits(hdus, opts));
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
