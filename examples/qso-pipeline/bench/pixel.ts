/**
 * `pnpm --filter @desi/qso-pipeline bench:pixel [--runs 5]`: issue #3's conversion benchmark with the
 * Parquet write included. One realistic pixel (2,500 targets with RESOLUTION, a 1.1 GB coadd, 6 % good
 * QSOs, written by ../shared's perf-baselines generator) converted by whole processes, in the same run
 * as the two baselines: fitsio + numpy writing .npy, and the astropy reference converter. Ours is the
 * per-pixel path of `desi-qso convert` (fusePixel → encodeSpectraParquet → atomic write), bundled and
 * run with plain node, in the established `decimals` mode (the baselines' conversion) and in the
 * default lossless mode. Needs ../shared beside the repo and Debian's python3-astropy/python3-fitsio.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const here = import.meta.dirname;
const dir = resolve(here, '..', '.bench', 'pixel');
const shared = resolve(here, '..', '..', '..', '..', 'shared', 'notes', 'perf-baselines');
const PY = '/usr/bin/python3';
const generator = join(shared, 'make_files.py');
const fitsTasks = join(shared, 'fits_tasks.py');
const reference = resolve(shared, '..', '..', 'desi', 'tools', 'reference_convert.py');
for (const f of [generator, fitsTasks, reference])
  if (!existsSync(f)) throw new Error(`${f} is missing: this benchmark needs ../shared beside the repo`);

mkdirSync(dir, { recursive: true });
if (!existsSync(join(dir, 'coadd-main-dark-99999.fits'))) {
  console.log(`writing the benchmark pixel to ${dir} (~10 s)…`);
  execFileSync(PY, [generator, dir], { stdio: 'inherit' });
}
// One CommonJS file: parquet-wasm's node build loads its .wasm from beside itself, so it goes there too.
const bundle = join(dir, 'convert.cjs');
await build({
  entryPoints: [join(here, 'pixel-convert.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: bundle,
  // Not on the conversion path (rrdetails; the validator): left out, and never loaded.
  external: ['h5wasm', '@duckdb/*'],
  conditions: ['source'],
  logLevel: 'error',
});
const spectraParquet = createRequire(join(here, '..', 'package.json')).resolve('@desi/spectra-parquet/package.json');
const wasm = createRequire(spectraParquet).resolve('parquet-wasm/node/parquet_wasm_bg.wasm');
copyFileSync(wasm, join(dir, 'parquet_wasm_bg.wasm'));
readFileSync(join(dir, 'coadd-main-dark-99999.fits')); // warm the page cache

interface Measured {
  seconds: number;
  rssMib: number;
  stdout: string;
}

/** Median wall time (after a warm-up) and the largest peak RSS of `runs` whole processes, from /usr/bin/time. */
function measure(tool: string, cmd: string, args: string[]): Measured {
  const once = (): Measured => {
    const r = spawnSync('/usr/bin/time', ['-f', '@@%e %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`${tool} failed: ${r.stderr}`);
    const m = /@@([\d.]+) (\d+)/.exec(r.stderr);
    return { seconds: Number(m?.[1]), rssMib: Number(m?.[2]) / 1024, stdout: r.stdout };
  };
  once();
  const all = Array.from({ length: runs }, once);
  const sorted = all.map((r) => r.seconds).sort((a, b) => a - b);
  console.log(`  ${tool}: ${sorted.map((s) => s.toFixed(2)).join(' ')} s`);
  return { seconds: sorted[Math.floor(runs / 2)], rssMib: Math.max(...all.map((r) => r.rssMib)), stdout: all[0].stdout };
}

console.log(`median of ${runs} whole-process runs (after a warm-up), warm page cache`);
const decimals = measure('ours, decimals', process.execPath, [bundle, dir, 'decimals']);
const lossless = measure('ours, lossless', process.execPath, [bundle, dir, 'lossless']);
const fitsio = measure('fitsio', PY, [fitsTasks, 'fitsio', 'e', dir]);
const astropy = measure('astropy', PY, [reference, dir, '-o', '/dev/null']);
const summary = (m: Measured) => JSON.parse(m.stdout.trim().split('\n').pop() as string);
const sd = summary(decimals);
const sl = summary(lossless);

const row = (cells: Array<string | number>) => console.log(`| ${cells.join(' | ')} |`);
console.log();
row([`conversion of one pixel (2,500 targets, ${sd.count} good QSOs)`, 'wall s', 'peak RSS MiB', 'output', 'vs ours (decimals)']);
row(['---', '---:', '---:', '---', '---:']);
const ratio = (m: Measured) => `${(m.seconds / decimals.seconds).toFixed(2)}×`;
row([
  'ours → Parquet, decimals (the established product)',
  decimals.seconds.toFixed(3),
  decimals.rssMib.toFixed(0),
  `${(sd.parquetBytes / 1e6).toFixed(1)} MB`,
  '',
]);
row([
  'ours → Parquet, lossless (the default)',
  lossless.seconds.toFixed(3),
  lossless.rssMib.toFixed(0),
  `${(sl.parquetBytes / 1e6).toFixed(1)} MB`,
  ratio(lossless),
]);
row(['fitsio + numpy → .npy', fitsio.seconds.toFixed(3), fitsio.rssMib.toFixed(0), '.npy arrays', ratio(fitsio)]);
row(['astropy reference converter → JSON lines', astropy.seconds.toFixed(3), astropy.rssMib.toFixed(0), 'JSON lines', ratio(astropy)]);
console.log(
  `\nbytes read by ours: ${sd.bytesRead} of ${sd.fileBytes} (${((100 * sd.bytesRead) / sd.fileBytes).toFixed(2)} %); ${sd.count} QSOs × ${sd.npix} pixels`,
);
console.log(
  `in-process seconds (fuse + encode + write, no start-up): decimals ${sd.seconds.toFixed(3)}, lossless ${sl.seconds.toFixed(3)}`,
);
