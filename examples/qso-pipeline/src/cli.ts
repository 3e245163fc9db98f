/**
 * `desi-qso`: the command line of the pipeline. Thin: it parses flags, wires the packages together
 * through `convert` and friends, and prints. `desi-qso --help` lists the commands. Each command
 * imports what it needs when it runs (the S3 SDK, DuckDB, Vega are large), so start-up stays small.
 */
import './quiet.js';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DR1 } from '@desi/tile-fusion';
import { writeAtomic } from './atomic.js';
import { type Flags, parseOptions, usageOf } from './flags.js';
import { list, parsePixels, parsePrecision, parseSelection, UsageError } from './options.js';
import { resolveShard } from './shard.js';

const CONVERT_FLAGS = {
  source: { type: 'string', default: `s3://${DR1.bucket}/${DR1.prefix}`, arg: '<s3://bucket/prefix | https://… | folder>', required: true },
  out: { type: 'string', arg: '<folder | s3://bucket/prefix>', required: true },
  endpoint: { type: 'string', arg: 'URL' },
  mode: { type: 'string', default: 'direct', arg: 'direct|download' },
  'range-transport': { type: 'string', default: 'fetch', arg: 'fetch|sdk' },
  'work-dir': { type: 'string', arg: 'DIR' },
  camera: { type: 'string', default: 'concat', arg: 'concat|brz' },
  precision: { type: 'string', default: 'lossless', arg: 'lossless|decimals|keepbits:N' },
  survey: { type: 'string', arg: 'main,sv1' },
  program: { type: 'string', arg: 'dark,bright' },
  pixels: { type: 'string', arg: '100,200-205' },
  manifest: { type: 'string', arg: 'FILE' },
  selection: { type: 'string', arg: 'redrock|desi-qso-catalog' },
  spectypes: { type: 'string', arg: 'QSO' },
  'zwarn-mask': { type: 'string', arg: 'N' },
  'z-min': { type: 'string', arg: 'Z' },
  'z-max': { type: 'string', arg: 'Z' },
  'fiberstatus-zero': { type: 'boolean' },
  'positive-targetid': { type: 'boolean' },
  rrdetails: { type: 'boolean' },
  verify: { type: 'string', default: 'read', arg: 'read|full' },
  'tiles-per-batch': { type: 'string', default: '8', arg: '8' },
  'max-batches': { type: 'string', arg: 'N' },
  workers: { type: 'string', arg: '16 direct, 4 download' },
  'encode-threads': { type: 'string', arg: 'N' },
  'memory-budget': { type: 'string', arg: '512' },
  shard: { type: 'string', arg: 'i/N' },
  'shard-count': { type: 'string', arg: 'N' },
  layout: { type: 'string', default: 'flat', arg: 'flat|hats' },
  'summary-json': { type: 'string', arg: 'FILE' },
  log: { type: 'string', arg: 'FILE' },
  'index-out': { type: 'string', arg: 'targets.parquet' },
} as const satisfies Flags;

const INDEX_FLAGS = {
  source: CONVERT_FLAGS.source,
  out: { type: 'string', arg: '<targets.parquet>', required: true },
  endpoint: CONVERT_FLAGS.endpoint,
  survey: CONVERT_FLAGS.survey,
  program: CONVERT_FLAGS.program,
  pixels: CONVERT_FLAGS.pixels,
  manifest: CONVERT_FLAGS.manifest,
  workers: { type: 'string', arg: '16' },
  shard: CONVERT_FLAGS.shard,
  'shard-count': CONVERT_FLAGS['shard-count'],
  'summary-json': CONVERT_FLAGS['summary-json'],
} as const satisfies Flags;

const SPECTRA_FLAGS = {
  index: { type: 'string', arg: '<targets.parquet | s3://…>', required: true },
  targetids: { type: 'string', arg: '1,2,3' },
  'targetids-file': { type: 'string', arg: 'FILE' },
  out: { type: 'string', arg: '<spectra.parquet>', required: true },
  source: { type: 'string', default: `s3://${DR1.bucket}/${DR1.prefix}`, arg: '<HEALPix root: s3://… | folder>' },
  endpoint: CONVERT_FLAGS.endpoint,
  camera: CONVERT_FLAGS.camera,
  precision: CONVERT_FLAGS.precision,
} as const satisfies Flags;

const USAGE = `usage: desi-qso <command> [flags]

${usageOf('convert', CONVERT_FLAGS, [
  '--memory-budget: MiB for the pixels in flight (they wait while it is spent).',
  '--verify read (default) checks CHECKSUM/DATASUM of every HDU read whole, at no extra bytes;',
  '--verify full also reads the camera arrays whole to check them: their bytes (~0.8 GB per',
  'large DR1 coadd), so use it on suspect data. Download mode checks whole files anyway.',
])}
${usageOf('index', INDEX_FLAGS, ["a TARGETID index: each target's coadd, row and camera offsets (Parquet, sorted by TARGETID)"])}
${usageOf('spectra', SPECTRA_FLAGS, ['the spectra of the given TARGETIDs read straight from the archive through the index;', 'unknown ids are listed on stderr (exit 1)'])}
  finalize  --out <folder> [--name NAME]        catalogue metadata of each HATS catalogue, after all shards
  analyze   <files or folders…> [--json] [--report report.html]
  bench     [--endpoint URL | --local] [--bucket B] [--prefix P] [--files 16] [--workers 1,2,4,8,16]
  keys      <manifest> [--bucket desidata]      normalise paths/URLs to canonical s3:// keys
  demo      [--out desi-qso-demo] [--pixels 4]  a local archive, converted, validated and queried

Default source: s3://${DR1.bucket}/${DR1.prefix} (anonymous, ${DR1.region}).`;

function positiveInt(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} takes a positive integer, got ${text}`);
  return n;
}

function countOf(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} takes a whole number (0 or more), got ${text}`);
  return n;
}

function oneOf<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  if (!allowed.includes(text as T)) throw new UsageError(`${flag} takes ${allowed.join(' or ')}, got ${text}`);
  return text as T;
}

async function convertCommand(argv: string[]): Promise<number> {
  const { values: v } = parseArgs({ args: argv, options: parseOptions(CONVERT_FLAGS), strict: true });
  if (!v.out) throw new UsageError('convert needs --out <folder | s3://bucket/prefix>');
  const { convert } = await import('./convert.js');
  const summary = await convert({
    source: v.source,
    out: v.out,
    endpoint: v.endpoint,
    mode: oneOf('--mode', v.mode, ['direct', 'download'] as const),
    workDir: v['work-dir'],
    rangeTransport: oneOf('--range-transport', v['range-transport'], ['fetch', 'sdk'] as const),
    camera: oneOf('--camera', v.camera, ['concat', 'brz'] as const),
    precision: parsePrecision(v.precision),
    selection: parseSelection(v),
    filter: { surveys: list(v.survey), programs: list(v.program), pixels: parsePixels(v.pixels) },
    manifest: v.manifest,
    tilesPerBatch: positiveInt('--tiles-per-batch', v['tiles-per-batch']),
    maxBatches: positiveInt('--max-batches', v['max-batches']),
    workers: positiveInt('--workers', v.workers),
    encodeThreads: countOf('--encode-threads', v['encode-threads']),
    memoryBudgetMiB: positiveInt('--memory-budget', v['memory-budget']),
    shard: resolveShard(v.shard, process.env, positiveInt('--shard-count', v['shard-count'])),
    layout: oneOf('--layout', v.layout, ['flat', 'hats'] as const),
    rrdetails: v.rrdetails,
    verify: oneOf('--verify', v.verify, ['read', 'full'] as const),
    logFile: v.log,
    indexOut: v['index-out'],
    progressBar: true,
    handleSignals: true,
  });
  if (v['summary-json']) await writeAtomic(v['summary-json'], `${JSON.stringify(summary, null, 2)}\n`);
  // Interrupted: the shell's convention (128 + signal); a full disk: fatal (2); failed pixels: 1.
  if (summary.stopped === 'interrupted') return summary.signal === 'SIGINT' ? 130 : summary.signal === 'SIGHUP' ? 129 : 143;
  if (summary.stopped === 'disk-full') return 2;
  return summary.pixels_failed ? 1 : 0;
}

async function indexCommand(argv: string[]): Promise<number> {
  const { values: v } = parseArgs({ args: argv, options: parseOptions(INDEX_FLAGS), strict: true });
  if (!v.out) throw new UsageError('index needs --out <targets.parquet>');
  const { buildIndex } = await import('./targets.js');
  const summary = await buildIndex({
    source: v.source,
    out: v.out,
    endpoint: v.endpoint,
    filter: { surveys: list(v.survey), programs: list(v.program), pixels: parsePixels(v.pixels) },
    manifest: v.manifest,
    workers: positiveInt('--workers', v.workers),
    shard: resolveShard(v.shard, process.env, positiveInt('--shard-count', v['shard-count'])),
  });
  if (v['summary-json']) await writeAtomic(v['summary-json'], `${JSON.stringify(summary, null, 2)}\n`);
  return summary.pixels_failed ? 1 : 0;
}

/** TARGETIDs from a list or a file (one per line, or the first column of a CSV with a header). */
async function targetIdsOf(list: string | undefined, file: string | undefined): Promise<bigint[]> {
  if (!list && !file) throw new UsageError('spectra needs --targetids 1,2,3 or --targetids-file FILE');
  const text = list ?? (await readFile(file as string, 'utf8'));
  const out: bigint[] = [];
  for (const raw of text.split(/[\n,]/)) {
    const t = raw.trim().split(/[\s;]/)[0];
    if (!t || !/^-?\d+$/.test(t)) {
      if (t && out.length === 0 && file && !list) continue; // a CSV header
      if (t) throw new UsageError(`not a TARGETID: ${JSON.stringify(t)}`);
      continue;
    }
    out.push(BigInt(t));
  }
  if (!out.length) throw new UsageError('no TARGETID given');
  return out;
}

async function spectraCommand(argv: string[]): Promise<number> {
  const { values: v } = parseArgs({ args: argv, options: parseOptions(SPECTRA_FLAGS), strict: true });
  if (!v.index) throw new UsageError('spectra needs --index <targets.parquet>');
  if (!v.out) throw new UsageError('spectra needs --out <spectra.parquet>');
  const { readSpectra } = await import('./targets.js');
  const r = await readSpectra({
    index: v.index,
    targetIds: await targetIdsOf(v.targetids, v['targetids-file']),
    source: v.source,
    endpoint: v.endpoint,
    camera: oneOf('--camera', v.camera, ['concat', 'brz'] as const),
    precision: parsePrecision(v.precision),
    out: v.out,
  });
  console.log(`${r.rows} spectra → ${v.out} (${(r.bytes / 1e3).toFixed(0)} kB in ${r.requests} requests, ${r.seconds.toFixed(2)} s)`);
  if (r.unknown.length) console.error(`not in the index (${r.unknown.length}): ${r.unknown.join(', ')}`);
  return r.unknown.length ? 1 : 0;
}

async function analyzeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, report: { type: 'string' } },
  });
  if (!positionals.length) throw new UsageError('analyze needs Parquet files or folders');
  const { analyzeParquet, writeReport } = await import('@desi/spectra-parquet');
  const report = values.report ? (await writeReport(positionals, values.report)).analysis : await analyzeParquet(positionals);
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else {
    console.log(`${report.totals.files} files, ${report.totals.rows} spectra, ${(report.totals.bytes / 1e6).toFixed(2)} MB`);
    for (const f of report.files.filter((x) => !x.ok)) console.log(`FAIL ${f.path}: ${f.problems.join('; ')}`);
    for (const p of report.problems) console.log(`FAIL ${p}`);
    console.log(report.ok ? 'all checks passed' : 'checks failed');
    if (values.report) console.log(`report: ${values.report}`);
  }
  return report.ok ? 0 : 1;
}

async function benchCommand(argv: string[]): Promise<number> {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      endpoint: { type: 'string' },
      local: { type: 'boolean' },
      bucket: { type: 'string', default: DR1.bucket },
      prefix: { type: 'string', default: `${DR1.prefix}main/dark/100/` },
      files: { type: 'string', default: '16' },
      workers: { type: 'string', default: '1,2,4,8,16' },
      repeat: { type: 'string', default: '2' },
    },
  });
  const { createPublicClient, listAll, publicObjectUrl, startLocalArchive, sweepTable, workerSweep } = await import('@desi/s3-fetch');
  const local = v.local ? await startLocalArchive(v.bucket, v.prefix, Number(v.files), 8 << 20) : undefined;
  const endpoint = local?.endpoint ?? v.endpoint;
  try {
    const client = createPublicClient({ endpoint });
    const objects = (await listAll(client, v.bucket, v.prefix)).filter((o) => o.size > 0).slice(0, Number(v.files));
    if (!objects.length) throw new Error(`no objects under s3://${v.bucket}/${v.prefix}`);
    const rows = await workerSweep({
      client,
      bucket: v.bucket,
      objects,
      workers: v.workers.split(',').map(Number),
      repeat: Number(v.repeat),
      objectUrl: (key) => publicObjectUrl({ bucket: v.bucket, key }, { endpoint, region: DR1.region }),
    });
    console.log(sweepTable(rows));
    return 0;
  } finally {
    await local?.stop();
  }
}

async function keysCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { bucket: { type: 'string', default: DR1.bucket } },
  });
  if (positionals.length !== 1) throw new UsageError('keys needs one manifest file (CSV, JSON lines or lines of paths/URLs)');
  const { formatLocation, parseManifest } = await import('@desi/s3-fetch');
  for (const loc of parseManifest(await readFile(positionals[0], 'utf8'), values.bucket)) console.log(formatLocation(loc));
  return 0;
}

async function finalizeCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { out: { type: 'string' }, name: { type: 'string' } } });
  if (!values.out) throw new UsageError('finalize needs --out <folder> (a HATS layout written by convert --layout hats)');
  // convert --layout hats writes one catalogue per survey_program below --out; a catalogue folder works too.
  const catalogues = existsSync(join(values.out, 'dataset'))
    ? [values.out]
    : (await readdir(values.out, { withFileTypes: true }))
        .filter((e) => e.isDirectory() && existsSync(join(values.out as string, e.name, 'dataset')))
        .map((e) => join(values.out as string, e.name))
        .sort();
  const { finalizeHats } = await import('@desi/spectra-parquet');
  if (!catalogues.length) throw new Error(`${values.out} holds no HATS catalogue (no dataset/ folder): convert with --layout hats first`);
  for (const dir of catalogues) {
    const r = await finalizeHats(dir, { name: catalogues.length === 1 ? values.name : undefined });
    console.log(`finalized ${dir}: ${r.partitions} partitions, ${r.rows} spectra, ${(r.bytes / 1e6).toFixed(2)} MB`);
  }
  return 0;
}

async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { out: { type: 'string', default: 'desi-qso-demo' }, pixels: { type: 'string', default: '4' } },
  });
  const { runDemo } = await import('./demo.js');
  const summary = await runDemo({ out: values.out, pixels: positiveInt('--pixels', values.pixels) ?? 4 });
  return summary.ok ? 0 : 1;
}

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  convert: convertCommand,
  index: indexCommand,
  spectra: spectraCommand,
  analyze: analyzeCommand,
  bench: benchCommand,
  keys: keysCommand,
  finalize: finalizeCommand,
  demo: demoCommand,
};

/** The package's version, read from its package.json (beside src/ and dist/ alike). */
async function version(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Run a command line; resolves to the exit code (0 ok, 1 failed pixels or checks, 2 usage or fatal error). */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-V') {
    console.log(`desi-qso ${await version()}`);
    return 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    console.error(`desi-qso: unknown command ${command}\n\n${USAGE}`);
    return 2;
  }
  // Every command prints the usage on --help (the flags are listed per command there).
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  try {
    return await run(rest);
  } catch (e) {
    const usage = e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    console.error(`desi-qso ${command}: ${(e as Error).message}`);
    if (usage) console.error(`\n${USAGE}`);
    return 2;
  }
}
