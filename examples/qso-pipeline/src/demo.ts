import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { writeReport } from '@desi/spectra-parquet';
import type { PixelId } from '@desi/tile-fusion';
import { DuckDBInstance } from '@duckdb/node-api';
import { startDemoArchive } from './archive.js';
import { type ConvertSummary, convert } from './convert.js';

/** Pixels of the demo archive: real DR1 survey/program/pixel combinations. */
export const DEMO_PIXELS: PixelId[] = [
  { survey: 'main', program: 'dark', healpix: 10016 },
  { survey: 'main', program: 'dark', healpix: 10017 },
  { survey: 'main', program: 'bright', healpix: 10016 },
  { survey: 'sv3', program: 'dark', healpix: 26065 },
  { survey: 'sv1', program: 'other', healpix: 27258 },
  { survey: 'special', program: 'backup', healpix: 9988 },
];

export interface DemoResult {
  ok: boolean;
  out: string;
  report: string;
  summary: ConvertSummary;
  /** The DuckDB query's rows. */
  table: Array<Record<string, unknown>>;
}

/** The demo's own record in its output folder: the files it wrote, which are all a later demo may remove. */
const MARKER = '.desi-qso-demo.json';

async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
}

/**
 * Make `out` ready for a demo run: a missing or empty folder is used as it is; an earlier demo's folder
 * (it has the marker) loses exactly the files that demo wrote, and anything else in it stays; any
 * other folder is refused, untouched. Returns the files that were there before (kept).
 */
async function prepareOutput(out: string): Promise<Set<string>> {
  if (!existsSync(out)) {
    await mkdir(out, { recursive: true });
    return new Set();
  }
  const before = await filesBelow(out);
  if (before.length && !before.includes(MARKER))
    throw new Error(
      `${out} exists and is not a desi-qso demo output (no ${MARKER}): pick another --out; the demo only clears what it wrote`,
    );
  if (before.length) {
    const { files } = JSON.parse(await readFile(join(out, MARKER), 'utf8')) as { files: string[] };
    for (const f of files) {
      const path = resolve(out, f);
      if (path.startsWith(`${out}${sep}`)) await rm(path, { force: true });
    }
    // Folders the demo's files left empty go too; a folder holding anything else stays.
    const dirs = (await readdir(out, { recursive: true, withFileTypes: true })).filter((e) => e.isDirectory());
    for (const d of dirs.map((e) => join(e.parentPath, e.name)).sort((a, b) => b.length - a.length)) await rmdir(d).catch(() => {});
  }
  await writeFile(join(out, MARKER), JSON.stringify({ files: [] }));
  return new Set((await filesBelow(out)).filter((f) => f !== MARKER));
}

/** Record every file this run added, so the next demo can remove those and nothing else. */
async function recordOutput(out: string, kept: Set<string>): Promise<void> {
  const files = (await filesBelow(out)).filter((f) => f !== MARKER && !kept.has(f));
  await writeFile(join(out, MARKER), `${JSON.stringify({ files: files.sort() }, null, 1)}\n`);
}

/**
 * The embedded demo: a small DESI-format archive served by a local S3 server, converted in direct
 * mode, validated, queried with DuckDB, and reported. No network.
 */
export async function runDemo(o: { out: string; pixels: number; print?: (line: string) => void }): Promise<DemoResult> {
  const print = o.print ?? ((l: string) => console.log(l));
  const out = resolve(o.out);
  const kept = await prepareOutput(out);
  const pixels = DEMO_PIXELS.slice(0, Math.min(o.pixels, DEMO_PIXELS.length));
  print(`writing ${pixels.length} DESI-format pixels (coadd, redrock, emline) with @desi/fits-reader's writer…`);
  const archive = await startDemoArchive({ pixels, ntargets: 80 });
  try {
    print(`serving them from a local S3 server at ${archive.endpoint} as ${archive.source} (${(archive.bytes / 1e6).toFixed(1)} MB)`);
    print(`\n$ desi-qso convert --source ${archive.source} --endpoint ${archive.endpoint} --out ${o.out} --tiles-per-batch 2\n`);
    const summary = await convert({ source: archive.source, endpoint: archive.endpoint, out, tilesPerBatch: 2, print, progressBar: true });
    const expected = [...archive.qsos.values()].reduce((a, b) => a + b, 0);

    const report = join(out, 'report.html');
    const r = await writeReport([out], report, { title: 'desi-qso demo' });
    print(
      `\nvalidation: ${r.analysis.totals.files} files, ${r.analysis.totals.rows} spectra: ${r.analysis.ok ? 'all checks passed' : `FAILED: ${r.analysis.problems.join('; ')}`}`,
    );

    const sql = `select survey, program, count(*) as qsos, round(avg(z), 3) as mean_z, min(len(flux)) as pixels_per_spectrum
      from read_parquet('${out.replace(/'/g, "''")}/**/*.parquet') group by all order by all`;
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const table = (await c.runAndReadAll(sql)).getRowObjectsJS();
    c.closeSync();
    print(`\nDuckDB: ${sql.replace(/\s+/g, ' ')}`);
    console.table(table.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v]))));

    const ok = summary.pixels_failed === 0 && summary.qsos === expected && r.analysis.ok;
    print(`\n${ok ? 'demo ok' : 'demo FAILED'}: ${summary.qsos} QSO spectra (expected ${expected}) in ${out}`);
    print(`report: ${report}`);
    print(
      `\nthe same against DR1 itself (network needed):\n  pnpm desi-qso convert --source s3://desidata/dr1/spectro/redux/iron/healpix/main/dark/ --out dr1-qso --max-batches 1`,
    );
    return { ok, out, report, summary, table };
  } finally {
    await recordOutput(out, kept);
    await archive.stop();
  }
}
