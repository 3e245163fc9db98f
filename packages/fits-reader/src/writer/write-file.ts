import { type HduInput, type WriteOptions, writeFits } from './write.js';

/**
 * Write a FITS file atomically (Node): `write-file-atomic` writes a temporary file beside `path`,
 * flushes it to the disk and renames it into place, so a crash never leaves a half-written file
 * under the final name.
 *
 * @example
 * await writeFitsFile('out.fits', [{ type: 'image', data: new Float32Array(4), shape: [2, 2] }]);
 */
export async function writeFitsFile(path: string, hdus: HduInput[], opts?: WriteOptions): Promise<void> {
  // Loaded here so the writer's pure part (writeFits) stays importable in browsers.
  const { default: writeFileAtomic } = await import('write-file-atomic');
  const bytes = writeFits(hdus, opts);
  await writeFileAtomic(path, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}
