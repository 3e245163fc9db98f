import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
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

/** Refuse to clear a folder that is not an earlier demo's output. */
async function clearOutput(out: string): Promise<void> {
  if (!existsSync(out)) return;
  const entries = await readdir(out);
  if (entries.length && !entries.some((e) => e === '.desi-qso-journal.jsonl' || e === 'desi-qso.log')) {
    throw new Error(`${out} exists and is not a desi-qso output: pick another --out`);
  }
  await rm(out, { recursive: true, force: true });
}

/**
 * The embedded demo: a small DESI-format archive served by a local S3 server, converted in direct
 * mode, validated, queried with DuckDB, and reported. No network.
 */
export async function runDemo(o: { out: string; pixels: number; print?: (line: string) => void }): Promise<DemoResult> {
  const print = o.print ?? ((l: string) => console.log(l));
  const out = resolve(o.out);
  await clearOutput(out);
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
    await archive.stop();
  }
}
