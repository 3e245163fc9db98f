/**
 * One fuzz worker process: it builds mutants from (seed, index) itself, so the parent only sends
 * numbers, and answers each with the probe's outcome. The parent times it and watches its memory.
 */
import { pathToFileURL } from 'node:url';
import { loadSeeds } from './corpus.js';
import { mutant, type Seed } from './mutate.js';
import type { ProbeOutcome } from './probe.js';
import { Random } from './random.js';

export interface WorkerInit {
  seed: number;
  corpusDirs: string[];
  maxFileBytes: number;
  /** Module exporting `probe(bytes)`; the real probe unless a test swaps in a faulty one. */
  probeModule: string;
}

export interface WorkerAnswer {
  index: number;
  outcome: ProbeOutcome;
  seedFile: string;
  kind: string;
  steps: string[];
  ms: number;
}

let seeds: Seed[] = [];
let init: WorkerInit;
let probe: (bytes: Uint8Array) => Promise<ProbeOutcome>;

process.on('message', async (msg: { init?: WorkerInit; index?: number }) => {
  if (msg.init) {
    init = msg.init;
    seeds = loadSeeds(init.corpusDirs, init.maxFileBytes);
    probe = (await import(pathToFileURL(init.probeModule).href)).probe;
    process.send!({ ready: seeds.length });
    return;
  }
  const index = msg.index!;
  const m = mutant(seeds, new Random(init.seed, index));
  const t0 = performance.now();
  let outcome: ProbeOutcome;
  try {
    outcome = await probe(m.bytes);
  } catch (e) {
    // The probe catches what the reader throws; this only guards a probe module that does not.
    outcome = { class: 'defect', codes: [], message: String(e), stack: (e as Error)?.stack, where: 'probe' };
  }
  const answer: WorkerAnswer = { index, outcome, seedFile: m.seed, kind: m.kind, steps: m.steps, ms: performance.now() - t0 };
  process.send!(answer);
});
