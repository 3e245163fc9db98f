/**
 * `pnpm bench` (tile-fusion): converts a realistic pixel (2500 targets with RESOLUTION, 1.1 GB coadd,
 * 6 % good QSOs, written by the shared perf-baselines generator) and compares, in the same run,
 * whole-process wall time and peak RSS with the fitsio + numpy conversion writing .npy and with the
 * astropy reference converter. Needs ../shared (the generator and both baselines live there) and
 * Debian's python3-astropy/python3-fitsio.
 *
 *   pnpm --filter @desi/tile-fusion bench [--runs 5]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const here = import.meta.dirname;
const dir = resolve(here, '..', '.bench');
// ../shared beside the repo (DESI_SHARED names another place).
const shared = process.env.DESI_SHARED ?? resolve(here, '..', '..', '..', '..', 'shared');
const PY = '/usr/bin/python3';
const generator = join(shared, 'notes', 'perf-baselines', 'make_files.py');
const fitsTasks = join(shared, 'notes', 'perf-baselines', 'fits_tasks.py');
const reference = join(shared, 'desi', 'tools', 'reference_convert.py');
for (const f of [generator, fitsTasks, reference])
  if (!existsSync(f)) {
    // Not an error on a fresh clone: this benchmark's pixel generator and baselines live in ../shared.
    console.log(`tile-fusion bench skipped: ${f} is missing (it needs ../shared beside the repo)`);
    process.exit(0);
  }

if (!existsSync(join(dir, 'coadd-main-dark-99999.fits'))) {
  console.log(`writing the benchmark pixel to ${dir} (~10 s)…`);
  execFileSync(PY, [generator, dir], { stdio: 'inherit' });
}
await build({
  entryPoints: [join(here, 'convert.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: join(dir, 'convert.mjs'),
  external: ['h5wasm'],
  conditions: ['source'],
  logLevel: 'silent',
});
readFileSync(join(dir, 'coadd-main-dark-99999.fits')); // warm the page cache

/** Wall seconds and peak RSS of one whole process, from /usr/bin/time. */
function run(cmd: string, args: string[]): { seconds: number; rssMib: number; stdout: string } {
  // /usr/bin/time reports on stderr; the program's own stdout is kept for its summary line.
  const r = spawnSync('/usr/bin/time', ['-f', '@@%e %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  const m = /@@([\d.]+) (\d+)/.exec(r.stderr);
  return { seconds: Number(m?.[1]), rssMib: Number(m?.[2]) / 1024, stdout: r.stdout };
}

function median(tool: string, cmd: string, args: string[]) {
  run(cmd, args);
  const all = Array.from({ length: runs }, () => run(cmd, args)).sort((a, b) => a.seconds - b.seconds);
  const m = all[Math.floor(all.length / 2)];
  console.log(`  ${tool}: ${all.map((r) => r.seconds.toFixed(2)).join(' ')} s`);
  return { ...m, rssMib: Math.max(...all.map((r) => r.rssMib)) };
}

console.log(`median of ${runs} whole-process runs (after a warm-up), warm page cache`);
const ours = median('ours', process.execPath, [join(dir, 'convert.mjs'), dir]);
const summary = JSON.parse(ours.stdout.trim().split('\n').pop() as string);
const fitsio = median('fitsio', PY, [fitsTasks, 'fitsio', 'e', dir]);
const astropy = median('astropy', PY, [reference, dir, '-o', '/dev/null']);
const line = (c: string[]) => console.log(`| ${c.join(' | ')} |`);
console.log();
line(['conversion of one pixel (2500 targets, 150 good QSOs)', 'wall s', 'peak RSS MiB', 'ours ×']);
line(['---', '---:', '---:', '---:']);
line(['ours (@desi/tile-fusion, node)', ours.seconds.toFixed(3), ours.rssMib.toFixed(0), '']);
line(['fitsio + numpy → .npy', fitsio.seconds.toFixed(3), fitsio.rssMib.toFixed(0), `${(fitsio.seconds / ours.seconds).toFixed(2)}×`]);
line([
  'astropy reference converter → JSON lines',
  astropy.seconds.toFixed(3),
  astropy.rssMib.toFixed(0),
  `${(astropy.seconds / ours.seconds).toFixed(2)}×`,
]);
console.log(
  `\nbytes read by ours: ${summary.bytesRead} of ${summary.fileBytes} (${((100 * summary.bytesRead) / summary.fileBytes).toFixed(2)} %); ${summary.count} QSOs × ${summary.npix} pixels`,
);
