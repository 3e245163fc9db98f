import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * The entries of a JSON-lines journal, in order; an absent journal has none. A line cut short by a
 * crash (the last one, typically) is skipped: the work it recorded is simply done again.
 *
 * @example
 * const done = new Map((await readJournal<{ key: string }>('mirror/.s3-fetch-journal.jsonl')).map((e) => [e.key, e]));
 */
export async function readJournal<T>(path: string): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // A torn line.
    }
  }
  return out;
}

/**
 * Append one entry as a line (the folder is made if needed), in one write so lines never interleave.
 * After a torn last line (a crash mid-write) the entry starts on a line of its own, so it is not lost.
 */
export async function appendJournal(path: string, entry: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const fh = await open(path, 'a+');
  try {
    const { size } = await fh.stat();
    let lead = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await fh.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) lead = '\n';
    }
    await fh.appendFile(`${lead}${JSON.stringify(entry)}\n`);
  } finally {
    await fh.close();
  }
}
