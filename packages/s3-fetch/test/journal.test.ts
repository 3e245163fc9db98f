import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendJournal, readJournal } from '../src/journal.js';

describe('JSON-lines journals', () => {
  it('read back in order; an absent journal is empty; a line torn by a crash is skipped', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'journal-')), 'deep', 'j.jsonl');
    expect(await readJournal(path)).toEqual([]);
    await appendJournal(path, { key: 'a', n: 1 });
    await appendJournal(path, { key: 'b', n: 2 });
    appendFileSync(path, '{"key":"c","n":'); // killed mid-write
    expect(await readJournal<{ key: string }>(path)).toEqual([
      { key: 'a', n: 1 },
      { key: 'b', n: 2 },
    ]);
    // The next entry after a torn line starts on its own line and is read.
    await appendJournal(path, { key: 'd', n: 4 });
    expect((await readJournal<{ key: string }>(path)).map((e) => e.key)).toEqual(['a', 'b', 'd']);
  });
});
