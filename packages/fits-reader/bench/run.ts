/**
 * `pnpm bench`: writes the inputs (once), then measures @desi/fits-reader, fitsio and astropy on the
 * same files in the same run and prints seconds, MB/s, peak RSS and our speed-up over each.
 *
 *   pnpm --filter @desi/fits-reader bench [--runs 3] [--dir .bench] [--only task,task]
 *
 * Each measurement is a fresh process (so peak RSS is the task's own), timed in-process around the
 * read (interpreter start-up excluded), median of --runs after one warm-up run; files are in the page
 * cache. Python runs with /usr/bin/python3 (Debian's astropy and fitsio).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, dir: { type: 'string', default: '.bench' }, only: { type: 'string' } },
});
const here = import.meta.dirname;
const dir = resolve(here, '..', values.dir as string);
const runs = Number(values.runs);
const PY = '/usr/bin/python3';
const TASKS: Array<[string, string]> = [
  ['table-all', '4M-row table (199 B/row), every column → native arrays'],
  ['table-3col', 'same table, TARGETID + Z + RA'],
  ['image-f32', 'float32 image R_RESOLUTION (2500×11×2326, 256 MB) → native'],
  ['rows-150', '150 scattered rows of B/R/Z FLUX, IVAR, MASK (coadd)'],
  ['gzip-table', '.fits.gz: 1M-row table, every column'],
];
const tasks = values.only ? TASKS.filter(([t]) => (values.only as string).split(',').includes(t)) : TASKS;

console.log(`inputs in ${dir}`);
execFileSync(PY, [join(here, 'make_files.py'), dir], { stdio: 'inherit' });
for (const f of ['coadd.fits', 'table4m.fits', 'table1m.fits.gz']) readFileSync(join(dir, f)); // warm the page cache
const rows = execFileSync(
  PY,
  ['-c', 'import numpy as np, json; print(json.dumps(sorted(int(x) for x in np.random.default_rng(7).choice(2500, 150, replace=False))))'],
  {
    encoding: 'utf8',
  },
).trim();

interface Sample {
  seconds: number;
  bytes: number;
  rss_mib: number;
}

function once(tool: string, task: string): Sample {
  const out =
    tool === 'ours'
      ? execFileSync(process.execPath, ['--import', 'tsx', '--conditions=source', join(here, 'task.ts'), task, dir], {
          encoding: 'utf8',
          env: { ...process.env, BENCH_ROWS: rows },
        })
      : execFileSync(PY, [join(here, 'task.py'), tool, task, dir], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop() as string);
}

function measure(tool: string, task: string): Sample {
  once(tool, task);
  const s = Array.from({ length: runs }, () => once(tool, task)).sort((a, b) => a.seconds - b.seconds);
  const mid = s[Math.floor(s.length / 2)];
  return { seconds: mid.seconds, bytes: mid.bytes, rss_mib: Math.max(...s.map((x) => x.rss_mib)) };
}

const results: Record<string, Record<string, Sample>> = {};
const line = (cells: string[]) => console.log(`| ${cells.join(' | ')} |`);
console.log(`\nmedian of ${runs} runs, in-process seconds; MB/s = bytes returned / seconds; RSS = peak of the process\n`);
line(['task', 'tool', 's', 'MB/s', 'peak RSS MiB', 'ours ×']);
line(['---', '---', '---:', '---:', '---:', '---:']);
for (const [task, what] of tasks) {
  results[task] = {};
  for (const tool of ['ours', 'fitsio', 'astropy']) results[task][tool] = measure(tool, task);
  const ours = results[task].ours;
  for (const tool of ['ours', 'fitsio', 'astropy']) {
    const r = results[task][tool];
    line([
      tool === 'ours' ? `${task}: ${what}` : '',
      tool,
      r.seconds.toFixed(3),
      (r.bytes / r.seconds / 1e6).toFixed(0),
      r.rss_mib.toFixed(0),
      tool === 'ours' ? '' : `${(r.seconds / ours.seconds).toFixed(2)}×`,
    ]);
  }
}
const baseline = once('ours', 'noop');
console.log(`\nNode + tsx baseline RSS (no work): ${baseline.rss_mib.toFixed(0)} MiB`);
writeFileSync(
  join(dir, 'results.json'),
  JSON.stringify({ when: new Date().toISOString(), runs, results, baselineRss: baseline.rss_mib }, null, 2),
);
console.log(`results written to ${join(dir, 'results.json')}`);
