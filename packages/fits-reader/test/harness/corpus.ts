import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const CORPUS = join(import.meta.dirname, '..', 'fixtures', 'corpus');

/** Every file below a corpus folder, as corpus-relative paths. */
export function corpusFiles(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(CORPUS, p));
    }
  };
  walk(join(CORPUS, folder));
  return out;
}

// biome-ignore lint/suspicious/noExplicitAny: reference JSON is loosely typed by design
export type Ref = any;

export function reference(file: string): Ref {
  return JSON.parse(readFileSync(join(CORPUS, 'ref', `${file}.json`), 'utf8'));
}
