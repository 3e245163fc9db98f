/**
 * `pnpm --filter @desi/fits-reader fuzz [--mutants N] [--seed S] [--from K] [--workers W]
 * [--timeout-ms T] [--memory-mb M] [--out DIR] [--corpus DIR…]`: mutate the corpus, read every mutant
 * in capped worker processes, print the outcome table and write one reproducer per distinct finding.
 * Exit 1 when anything but `ok` and `fits-error` was seen.
 */
import { parseArgs } from 'node:util';
import { CLASSES, fuzz } from './run.js';

const { values } = parseArgs({
  options: {
    mutants: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '1' },
    from: { type: 'string', default: '0' },
    workers: { type: 'string', default: '2' },
    'timeout-ms': { type: 'string', default: '5000' },
    'memory-mb': { type: 'string', default: '512' },
    out: { type: 'string', default: 'fuzz-findings' },
    corpus: { type: 'string', multiple: true },
  },
});

const mutants = Number(values.mutants);
let last = 0;
const report = await fuzz({
  seed: Number(values.seed),
  mutants,
  from: Number(values.from),
  workers: Number(values.workers),
  timeoutMs: Number(values['timeout-ms']),
  memoryMb: Number(values['memory-mb']),
  reproducers: values.out,
  corpusDirs: values.corpus,
  onProgress: (done, total) => {
    const now = Date.now();
    if (now - last > 2000 || done === total) {
      last = now;
      process.stderr.write(`\r${done}/${total} mutants`);
    }
  },
});
process.stderr.write('\n');

const pad = (s: string | number, n: number) => String(s).padStart(n);
console.log(
  `seed ${report.seed}, ${report.mutants} mutants of ${report.corpusFiles} corpus files, ${(report.elapsedMs / 1000).toFixed(0)} s`,
);
console.log(`${'mutation'.padEnd(16)}${CLASSES.map((c) => pad(c, 12)).join('')}`);
for (const [kind, row] of Object.entries(report.byKind).sort())
  console.log(`${kind.padEnd(16)}${CLASSES.map((c) => pad(row[c], 12)).join('')}`);
console.log(`${'all'.padEnd(16)}${CLASSES.map((c) => pad(report.counts[c], 12)).join('')}`);
console.log(`peak worker RSS ${report.peakRssMb.toFixed(0)} MiB; slowest read ${report.slowestMs.toFixed(0)} ms`);
for (const f of report.findings) {
  console.log(`\n${f.class}${f.confirmed ? '' : ' (not reproduced in a fresh process)'} ×${f.count}: ${f.signature}`);
  console.log(`  mutant ${f.index} of ${f.seedFile}: ${f.steps.join('; ')}`);
  if (f.message) console.log(`  ${f.message.split('\n')[0]}`);
  if (f.file) console.log(`  reproducer: ${f.file}`);
}
if (report.findings.length) process.exitCode = 1;
