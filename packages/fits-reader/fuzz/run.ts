import { type ChildProcess, fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CORPUS_DIRS, loadSeeds } from './corpus.js';
import { mutant } from './mutate.js';
import { Random } from './random.js';
import type { WorkerAnswer, WorkerInit } from './worker.js';

/** Every way a mutant's read can end. Only the first two are acceptable. */
export type OutcomeClass = 'ok' | 'fits-error' | 'defect' | 'hang' | 'over-memory' | 'crash';
export const CLASSES: OutcomeClass[] = ['ok', 'fits-error', 'defect', 'hang', 'over-memory', 'crash'];

export interface FuzzOptions {
  seed: number;
  mutants: number;
  /** First mutant index (a run of `--mutants N --from K` covers K … K+N−1). */
  from?: number;
  workers?: number;
  /** A read taking longer is a hang. Default 5000. */
  timeoutMs?: number;
  /** A worker whose resident memory passes this is killed and its mutant is over-memory. Default 512. */
  memoryMb?: number;
  corpusDirs?: string[];
  maxFileBytes?: number;
  /** Folder for one reproducer per distinct finding (the mutant's file and a JSON description). */
  reproducers?: string;
  probeModule?: string;
  onProgress?: (done: number, total: number) => void;
}

/** A distinct bad outcome, confirmed in a fresh process. */
export interface Finding {
  class: OutcomeClass;
  signature: string;
  index: number;
  seedFile: string;
  steps: string[];
  message?: string;
  /** How many mutants showed this signature. */
  count: number;
  /** False when a fresh process read the same mutant without the problem (a flaky finding). */
  confirmed: boolean;
  file?: string;
}

export interface FuzzReport {
  seed: number;
  mutants: number;
  corpusFiles: number;
  counts: Record<OutcomeClass, number>;
  byKind: Record<string, Record<OutcomeClass, number>>;
  findings: Finding[];
  /** Highest resident memory seen of any worker process. */
  peakRssMb: number;
  slowestMs: number;
  elapsedMs: number;
}

interface Result {
  index: number;
  class: OutcomeClass;
  seedFile: string;
  kind: string;
  steps: string[];
  message?: string;
  stack?: string;
  ms: number;
}

const WORKER = join(import.meta.dirname, 'worker.ts');
const PROBE = join(import.meta.dirname, 'probe.ts');

/** Resident and peak memory of a process, from /proc (Linux); undefined elsewhere. */
function memoryOf(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/** A worker process and the mutant it is reading. */
class Worker {
  private child!: ChildProcess;
  private ready!: Promise<void>;
  private pending?: { index: number; resolve: (r: Result) => void; timer: NodeJS.Timeout; poll: NodeJS.Timeout };
  peakRssMb = 0;

  constructor(
    private readonly init: WorkerInit,
    private readonly o: Required<Pick<FuzzOptions, 'timeoutMs' | 'memoryMb'>>,
  ) {
    this.spawn();
  }

  private spawn(): void {
    this.child = fork(WORKER, [], {
      // The source condition: the reader under test is src/, never a build that may be stale or absent.
      execArgv: ['--import', 'tsx', '--conditions=source', `--max-old-space-size=${this.o.memoryMb}`],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.child.stderr?.resume();
    this.ready = new Promise((resolve, reject) => {
      this.child.once('message', () => resolve());
      this.child.once('exit', (code) => reject(new Error(`fuzz worker exited (${code}) before it was ready`)));
    });
    this.child.on('message', (m: WorkerAnswer | { ready: number }) => {
      if (!('index' in m) || !this.pending || m.index !== this.pending.index) return;
      const o = m.outcome;
      this.settle({
        index: m.index,
        class: o.class,
        seedFile: m.seedFile,
        kind: m.kind,
        steps: m.steps,
        message: o.message,
        stack: o.stack,
        ms: m.ms,
      });
    });
    this.child.on('exit', (code, signal) => {
      if (this.pending)
        this.settle(
          {
            index: this.pending.index,
            class: 'crash',
            seedFile: '',
            kind: '',
            steps: [],
            message: `worker died (${signal ?? code})`,
            ms: 0,
          },
          true,
        );
    });
    this.child.send({ init: this.init });
  }

  private settle(r: Result, respawn = false): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    clearInterval(p.poll);
    if (respawn) {
      this.child.removeAllListeners('exit');
      this.child.kill('SIGKILL');
      this.spawn();
    }
    p.resolve(r);
  }

  async run(index: number): Promise<Result> {
    await this.ready;
    return new Promise((resolve) => {
      const started = performance.now();
      const timer = setTimeout(() => {
        this.settle(
          {
            index,
            class: 'hang',
            seedFile: '',
            kind: '',
            steps: [],
            message: `no answer in ${this.o.timeoutMs} ms`,
            ms: performance.now() - started,
          },
          true,
        );
      }, this.o.timeoutMs);
      const poll = setInterval(() => {
        const m = this.child.pid ? memoryOf(this.child.pid) : undefined;
        if (!m) return;
        this.peakRssMb = Math.max(this.peakRssMb, m.hwm);
        if (m.rss > this.o.memoryMb)
          this.settle(
            {
              index,
              class: 'over-memory',
              seedFile: '',
              kind: '',
              steps: [],
              message: `resident memory ${m.rss.toFixed(0)} MiB`,
              ms: performance.now() - started,
            },
            true,
          );
      }, 20);
      this.pending = { index, resolve, timer, poll };
      this.child.send({ index });
    });
  }

  close(): void {
    const m = this.child.pid ? memoryOf(this.child.pid) : undefined;
    if (m) this.peakRssMb = Math.max(this.peakRssMb, m.hwm);
    this.child.removeAllListeners('exit');
    this.child.kill('SIGKILL');
  }
}

/** What makes two findings the same bug: the error and the first frame of our code it came from. */
function signatureOf(r: Result): string {
  if (r.class === 'defect') {
    const frame = /\(?([^()\s]*\/(?:src|fuzz)\/[^():\s]+:\d+)/.exec(r.stack ?? '')?.[1]?.replace(/^.*\/(src|fuzz)\//, '$1/');
    const head = (r.message ?? '').split('\n')[0].replace(/\d+/g, '#').slice(0, 120);
    return `defect: ${frame ?? head}${frame ? ` ${head.split(':')[0]}` : ''}`;
  }
  const what = r.steps.map((s) => s.replace(/\d+/g, '#')).join('; ');
  return `${r.class}: ${r.kind} ${what}`.slice(0, 200);
}

/**
 * Run `mutants` mutants of the corpus through `workers` processes and class every outcome. Each
 * distinct bad outcome is re-run alone in a fresh process before it is reported, and (with
 * `reproducers`) written out as the mutant's bytes with a JSON note of how it was made.
 *
 * @example
 * const report = await fuzz({ seed: 1, mutants: 2000 });
 * if (report.findings.length) process.exitCode = 1;
 */
export async function fuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const t0 = performance.now();
  const limits = { timeoutMs: opts.timeoutMs ?? 5000, memoryMb: opts.memoryMb ?? 512 };
  const init: WorkerInit = {
    seed: opts.seed,
    corpusDirs: opts.corpusDirs ?? DEFAULT_CORPUS_DIRS,
    maxFileBytes: opts.maxFileBytes ?? 1 << 20,
    probeModule: opts.probeModule ?? PROBE,
  };
  const seeds = loadSeeds(init.corpusDirs, init.maxFileBytes);
  if (!seeds.length) throw new Error(`no FITS files to mutate under ${init.corpusDirs.join(', ')}`);
  const from = opts.from ?? 0;
  const workers = Array.from({ length: opts.workers ?? 2 }, () => new Worker(init, limits));
  const counts = Object.fromEntries(CLASSES.map((c) => [c, 0])) as Record<OutcomeClass, number>;
  const byKind: FuzzReport['byKind'] = {};
  const bad = new Map<string, { first: Result; count: number }>();
  let next = from;
  let done = 0;
  let slowestMs = 0;
  const record = (r: Result) => {
    if (!r.kind) {
      // The worker died or was killed before answering: describe the mutant from its recipe.
      const m = mutant(seeds, new Random(opts.seed, r.index));
      Object.assign(r, { seedFile: m.seed, kind: m.kind, steps: m.steps });
    }
    counts[r.class]++;
    byKind[r.kind] ??= Object.fromEntries(CLASSES.map((c) => [c, 0])) as Record<OutcomeClass, number>;
    byKind[r.kind][r.class]++;
    slowestMs = Math.max(slowestMs, r.ms);
    if (r.class !== 'ok' && r.class !== 'fits-error') {
      const sig = signatureOf(r);
      const seen = bad.get(sig);
      if (seen) seen.count++;
      else bad.set(sig, { first: r, count: 1 });
    }
    opts.onProgress?.(++done, opts.mutants);
  };
  try {
    await Promise.all(
      workers.map(async (w) => {
        while (next < from + opts.mutants) record(await w.run(next++));
      }),
    );
  } finally {
    for (const w of workers) w.close();
  }

  // Confirm each distinct finding alone, in a fresh process.
  const findings: Finding[] = [];
  for (const [signature, { first, count }] of bad) {
    const fresh = new Worker(init, limits);
    const again = await fresh.run(first.index).finally(() => fresh.close());
    const f: Finding = {
      class: first.class,
      signature,
      index: first.index,
      seedFile: first.seedFile,
      steps: first.steps,
      message: first.message,
      count,
      confirmed: again.class === first.class,
    };
    if (opts.reproducers) f.file = writeReproducer(opts.reproducers, opts.seed, f, seeds);
    findings.push(f);
  }
  return {
    seed: opts.seed,
    mutants: opts.mutants,
    corpusFiles: seeds.length,
    counts,
    byKind,
    findings,
    peakRssMb: Math.max(0, ...workers.map((w) => w.peakRssMb)),
    slowestMs,
    elapsedMs: performance.now() - t0,
  };
}

function writeReproducer(dir: string, seed: number, f: Finding, seeds: ReturnType<typeof loadSeeds>): string {
  mkdirSync(dir, { recursive: true });
  const m = mutant(seeds, new Random(seed, f.index));
  const id = createHash('sha256').update(f.signature).digest('hex').slice(0, 10);
  const base = join(dir, `${f.class}-${id}`);
  writeFileSync(`${base}.fits`, m.bytes);
  writeFileSync(
    `${base}.json`,
    `${JSON.stringify({ ...f, seed, rerun: `pnpm --filter @desi/fits-reader fuzz --seed ${seed} --from ${f.index} --mutants 1` }, null, 2)}\n`,
  );
  return `${base}.fits`;
}
