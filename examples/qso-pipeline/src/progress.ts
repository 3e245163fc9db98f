import type { PixelOutcome } from './summary.js';

const MB = (n: number) => (n / 1e6).toFixed(1);

/**
 * The run's progress, fed by the pool's events: a line per batch once all its pixels are done, in
 * batch order (a slow pixel never reorders them), and a live bar on a TTY.
 */
export class RunProgress {
  private readonly batches: Array<{ size: number; results: PixelOutcome[]; t0: number; t1: number }>;
  private printed = 0;
  private done = 0;
  private chain = Promise.resolve();

  constructor(
    sizes: readonly number[],
    private readonly o: {
      batchSize: number;
      mode: 'direct' | 'download';
      log: (line: string) => Promise<void>;
      /** Draw a live bar (only on a TTY). */
      bar: boolean;
      started: number;
    },
  ) {
    this.batches = sizes.map((size) => ({ size, results: [], t0: 0, t1: 0 }));
  }

  private get total(): number {
    return this.batches.reduce((a, b) => a + b.size, 0);
  }

  private get tty(): boolean {
    return this.o.bar && process.stdout.isTTY === true;
  }

  start(index: number): void {
    this.batches[Math.floor(index / this.o.batchSize)].t0 ||= performance.now();
  }

  finish(index: number, r: PixelOutcome): void {
    const b = this.batches[Math.floor(index / this.o.batchSize)];
    b.results.push(r);
    this.done++;
    if (b.results.length === b.size) b.t1 = performance.now();
    if (this.tty) {
      const rate = this.done / ((performance.now() - this.o.started) / 3.6e6);
      const eta = ((this.total - this.done) / Math.max(rate, 1e-9)) * 60;
      const bar = '#'.repeat(Math.round((30 * this.done) / this.total)).padEnd(30, '.');
      process.stdout.write(`\r[${bar}] ${this.done}/${this.total} pixels, ${rate.toFixed(0)} px/h, ETA ${eta.toFixed(1)} min   `);
    }
    while (this.printed < this.batches.length && this.batches[this.printed].t1) {
      const k = this.printed++;
      this.chain = this.chain.then(async () => {
        if (this.tty) process.stdout.write('\r\x1b[K');
        await this.batchLine(k);
      });
    }
  }

  /** Wait for the lines in order, then print batches a stop cut short. */
  async flush(): Promise<void> {
    await this.chain;
    for (let b = this.printed; b < this.batches.length; b++) if (this.batches[b].results.length) await this.batchLine(b);
    this.printed = this.batches.length;
  }

  private async batchLine(b: number): Promise<void> {
    const { results, t0, t1, size } = this.batches[b];
    const secs = ((t1 || performance.now()) - t0) / 1000;
    const read = results.reduce((a, r) => a + r.bytesRead, 0);
    const written = results.reduce((a, r) => a + r.bytesWritten, 0);
    const count = (st: PixelOutcome['status']) => results.filter((r) => r.status === st).length;
    await this.o.log(
      `batch ${b + 1}/${this.batches.length}: ${size} pixels (${count('ok')} ok, ${count('skipped')} skipped, ${count('failed')} failed), ${results.reduce((a, r) => a + r.qsos, 0)} QSOs, ` +
        `${this.o.mode === 'direct' ? 'read' : 'downloaded'} ${MB(read)} MB, wrote ${MB(written)} MB (${read ? (100 * (1 - written / read)).toFixed(1) : '0.0'}% reduction), ` +
        `${(read / 1e6 / Math.max(secs, 1e-9)).toFixed(1)} MB/s, ${secs.toFixed(1)} s`,
    );
    for (const f of results.filter((r) => r.status === 'failed')) await this.o.log(`  FAILED ${f.id}: ${f.failure?.message ?? ''}`);
    for (const w of results.filter((r) => r.warnings?.length)) await this.o.log(`  WARNING ${w.id}: ${w.warnings?.join('; ')}`);
  }
}
