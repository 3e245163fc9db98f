import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { encodeSpectraParquetChunks, type SpectraBatch } from '@desi/spectra-parquet/writer';

/** Encoder threads by default: one fewer than the cores (the main thread fetches and fuses), at most 4. */
export function defaultEncodeThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

/** The fields a Parquet file holds: only these travel to a thread (a fused pixel carries more). */
const BATCH_FIELDS = [
  ...['pixel', 'specprod', 'camera', 'precision', 'count', 'targetId', 'ra', 'dec', 'z', 'zerr', 'zwarn'],
  ...['spectype', 'subtype', 'deltachi2', 'rrChi2', 'emline', 'wavelength', 'flux', 'ivar', 'mask', 'io'],
] as const satisfies ReadonlyArray<keyof SpectraBatch>;

function batchOf(b: SpectraBatch): SpectraBatch {
  return Object.fromEntries(BATCH_FIELDS.map((k) => [k, b[k]])) as unknown as SpectraBatch;
}

/**
 * Encodes fused pixels as Parquet on worker threads, so encoding (the largest CPU cost of a pixel)
 * overlaps with the main thread's range reads and fusion. The spectra buffers are moved to the
 * thread, not copied: a batch handed to {@link encode} must not be used afterwards. With 0 threads
 * it encodes in the calling thread.
 */
export class EncodePool {
  private readonly idle: Worker[] = [];
  /** Callers waiting for a thread; given undefined when no thread is left (they encode in place). */
  private readonly waiting: Array<(w: Worker | undefined) => void> = [];
  /** The job each busy thread is on. */
  private readonly busy = new Map<Worker, { resolve: (b: Uint8Array[]) => void; reject: (e: Error) => void }>();
  private threads = 0;
  private respawns = 0;
  private closed = false;

  constructor(threads: number) {
    for (let i = 0; i < threads; i++) this.spawn();
  }

  private static readonly pools = new Map<number, EncodePool>();
  /**
   * The process's pool of `threads` threads, started once: a thread costs about a second of CPU to
   * start (module loading, WebAssembly compilation), so runs in one process share them. Idle threads
   * never keep the process alive.
   */
  static shared(threads: number): EncodePool {
    let pool = EncodePool.pools.get(threads);
    if (!pool) {
      pool = new EncodePool(threads);
      EncodePool.pools.set(threads, pool);
    }
    return pool;
  }

  private spawn(): void {
    const w = startWorker();
    this.threads++;
    w.on('message', (m: { bytes?: Uint8Array; error?: string }) => {
      const job = this.busy.get(w);
      this.busy.delete(w);
      if (m.bytes) job?.resolve([m.bytes]);
      else job?.reject(new Error(`Parquet encoding failed: ${m.error}`));
      this.release(w);
    });
    // A thread that dies (out of memory, a wasm trap) fails its pixel only, and a fresh one takes its
    // place; threads that keep dying (e.g. cannot start) are given up and encoding goes on in place.
    w.on('exit', (code) => {
      this.threads--;
      const i = this.idle.indexOf(w);
      if (i >= 0) this.idle.splice(i, 1);
      const job = this.busy.get(w);
      this.busy.delete(w);
      job?.reject(new Error(`the Parquet encoding thread exited (code ${code})`));
      if (!this.closed && this.respawns++ < 4) this.spawn();
      else if (!this.threads) for (const wake of this.waiting.splice(0)) wake(undefined);
    });
    w.on('error', () => {}); // always followed by 'exit'
    this.release(w);
  }

  /** An idle thread never keeps the process alive; a busy one does until its answer arrives. */
  private release(w: Worker): void {
    const next = this.waiting.shift();
    if (next) next(w);
    else {
      w.unref();
      this.idle.push(w);
    }
  }

  /**
   * Parquet bytes of one batch, as the file's pieces in order (its large buffers are transferred to
   * the encoding thread; in place, the pieces are never concatenated).
   */
  async encode(batch: SpectraBatch): Promise<Uint8Array[]> {
    const w = this.idle.pop() ?? (this.threads ? await new Promise<Worker | undefined>((r) => this.waiting.push(r)) : undefined);
    if (!w) return encodeSpectraParquetChunks(batch);
    const b = batchOf(batch);
    // Move, not copy, the big arrays (each buffer once; small ones may share Node's pool and are copied).
    const transfer = [...new Set([b.flux, b.ivar, b.mask].filter((a) => a.byteLength >= 1 << 16).map((a) => a.buffer as ArrayBuffer))];
    return new Promise<Uint8Array[]>((resolve, reject) => {
      w.ref();
      this.busy.set(w, { resolve, reject });
      w.postMessage({ batch: b }, transfer);
    });
  }

  /** Stop the threads (pending encodes fail). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.idle, ...this.busy.keys()].map((w) => w.terminate()));
  }
}

/**
 * The encoding thread. Run from TypeScript sources (tsx), the thread registers tsx itself before
 * importing the worker module: Node 20 does not apply `--import` hooks to a worker's entry module.
 */
function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./encode-worker.js', import.meta.url));
  const entry = new URL('./encode-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, execArgv: ['--conditions=source'] });
}
