import { appendJournal, readJournal } from '@desi/s3-fetch/journal';

/** One finished (or failed) pixel. */
export interface JournalEntry {
  id: string;
  status: 'ok' | 'failed';
  /** Output location (path or s3:// URI). */
  output?: string;
  rows?: number;
  bytes?: number;
  sha256?: string;
  error?: string;
  /** The failure's code (FusionError codes such as `checksum`, or system codes). */
  code?: string;
  /** Where a failure happened, when the error said: the HDU, keyword and file. */
  hdu?: number;
  keyword?: string;
  file?: string;
  /** Every option that shapes the output, as {@link outputOptions} writes it. */
  options?: string;
  /** Each input product's identity when it was read: `etag:…`, or `size:…,mtime:…` for a local file. */
  inputs?: Record<string, string>;
  at: string;
}

/** The run's journal: JSON lines appended as pixels finish, so a re-run knows what is done. */
export class Journal {
  private readonly done = new Map<string, JournalEntry>();

  private constructor(readonly path: string) {}

  static async open(path: string): Promise<Journal> {
    const j = new Journal(path);
    // Later lines win: a pixel failed after it once succeeded is redone.
    for (const e of await readJournal<JournalEntry>(path)) {
      if (e.status === 'ok') j.done.set(e.id, e);
      else j.done.delete(e.id);
    }
    return j;
  }

  /** The verified entry of a pixel, if it finished. */
  get(id: string): JournalEntry | undefined {
    return this.done.get(id);
  }

  async record(e: Omit<JournalEntry, 'at'>): Promise<void> {
    const entry = { ...e, at: new Date().toISOString() };
    await appendJournal(this.path, entry);
    if (e.status === 'ok') this.done.set(e.id, entry);
    else this.done.delete(e.id);
  }
}
