/**
 * `pnpm --filter @desi/qso-pipeline bench:pixel [--runs 5]`: one realistic pixel (2,500 targets with
 * RESOLUTION, a 1.1 GB coadd, 6 % good QSOs, written by ../shared's perf-baselines generator)
 * converted by whole processes, in the same run as the two baselines: fitsio + numpy writing .npy,
 * and the astropy reference converter. Ours is exactly what a user runs: the built `desi-qso` bin
 * (`node dist/cli.js convert --source <tree> --out <folder>`), in the established `decimals` mode
 * (the baselines' conversion) and in the default lossless mode. Needs ../shared beside the repo and
 * Debian's python3-astropy/python3-fitsio.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const here = import.meta.dirname;
const root = resolve(here, '..', '..', '..');
const dir = resolve(here, '..', '.bench', 'pixel');
const shared = resolve(root, '..', 'shared', 'notes', 'perf-baselines');
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
// The generator names the pixel 99999 (beyond nside 64); the CLI discovers pixels from the HEALPix
// tree, so the files are linked (not copied) into one under a valid number.
const HEALPIX = 99999 % 49152;
const tree = join(dir, 'tree');
const pixelDir = join(tree, 'main', 'dark', String(Math.floor(HEALPIX / 100)), String(HEALPIX));
mkdirSync(pixelDir, { recursive: true });
for (const p of ['coadd', 'redrock']) {
  const link = join(pixelDir, `${p}-main-dark-${HEALPIX}.fits`);
  if (!existsSync(link)) linkSync(join(dir, `${p}-main-dark-99999.fits`), link);
}
// The bin users run: built from the sources first if they changed.
execFileSync(process.execPath, [join(root, 'scripts', 'ensure-built.mjs')], { stdio: 'inherit' });
const bin = join(here, '..', 'dist', 'cli.js');
readFileSync(join(dir, 'coadd-main-dark-99999.fits')); // warm the page cache

interface Measured {
  seconds: number;
  rssMib: number;
  stdout: string;
}

/** Median wall time (after a warm-up) and the largest peak RSS of `runs` whole processes, from /usr/bin/time. */
function measure(tool: string, cmd: string, args: string[]): Measured {
  return measureEach(tool, () => [cmd, args]);
}

function measureEach(tool: string, command: () => [string, string[]]): Measured {
  const once = (): Measured => {
    const [cmd, args] = command();
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
/** `desi-qso convert` of the pixel into a fresh folder (a re-run into the same one would skip it). */
function convertArgs(precision: string): string[] {
  const out = join(dir, `out_${precision}`);
  rmSync(out, { recursive: true, force: true });
  return [
    bin,
    'convert',
    '--source',
    tree,
    '--out',
    out,
    '--precision',
    precision,
    '--summary-json',
    join(dir, `summary_${precision}.json`),
  ];
}
const ours = (precision: string): Measured => {
  // A fresh output folder for every run, made before the timed process starts.
  const m = measureEach(`ours, ${precision}`, () => [process.execPath, convertArgs(precision)]);
  return m;
};
const decimals = ours('decimals');
const lossless = ours('lossless');
const fitsio = measure('fitsio', PY, [fitsTasks, 'fitsio', 'e', dir]);
const astropy = measure('astropy', PY, [reference, dir, '-o', '/dev/null']);
const summary = (precision: string) => {
  const s = JSON.parse(readFileSync(join(dir, `summary_${precision}.json`), 'utf8'));
  if (s.pixels_ok !== 1) throw new Error(`desi-qso convert (${precision}) did not convert the pixel: ${JSON.stringify(s)}`);
  return { count: s.qsos, bytesRead: s.bytes_read, parquetBytes: s.bytes_written };
};
const sd = summary('decimals');
const sl = summary('lossless');
const fileBytes = ['coadd', 'redrock'].reduce((a, p) => a + statSync(join(dir, `${p}-main-dark-99999.fits`)).size, 0);

const row = (cells: Array<string | number>) => console.log(`| ${cells.join(' | ')} |`);
console.log();
row([`conversion of one pixel (2,500 targets, ${sd.count} good QSOs)`, 'wall s', 'peak RSS MiB', 'output', 'wall vs fitsio']);
row(['---', '---:', '---:', '---', '---:']);
const ratio = (m: Measured) => `${(m.seconds / fitsio.seconds).toFixed(2)}×`;
row([
  'ours: `desi-qso convert` (built bin) → Parquet, decimals (the established product)',
  decimals.seconds.toFixed(3),
  decimals.rssMib.toFixed(0),
  `${(sd.parquetBytes / 1e6).toFixed(1)} MB`,
  ratio(decimals),
]);
row([
  'ours: `desi-qso convert` (built bin) → Parquet, lossless (the default)',
  lossless.seconds.toFixed(3),
  lossless.rssMib.toFixed(0),
  `${(sl.parquetBytes / 1e6).toFixed(1)} MB`,
  ratio(lossless),
]);
row(['fitsio + numpy → .npy', fitsio.seconds.toFixed(3), fitsio.rssMib.toFixed(0), '.npy arrays', '1.00×']);
row(['astropy reference converter → JSON lines', astropy.seconds.toFixed(3), astropy.rssMib.toFixed(0), 'JSON lines', ratio(astropy)]);
console.log(`\nbytes read by ours: ${sd.bytesRead} of ${fileBytes} (${((100 * sd.bytesRead) / fileBytes).toFixed(2)} %); ${sd.count} QSOs`);
