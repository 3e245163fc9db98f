import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { radecToPixel } from './healpix.js';
import { optionalImport } from './optional.js';
import { parseParquetFileName } from './write.js';

/** What the validator found about one file. */
export interface FileReport {
  path: string;
  ok: boolean;
  problems: string[];
  rows?: number;
  /** Rows the file name promises (`qso_data_TILE{healpix}_{count}_qsos.parquet`). */
  expectedRows?: number;
  healpix?: number;
  camera?: string;
  /** Pixels per spectrum. */
  npix?: number;
  bytes: number;
  uncompressedBytes?: number;
  compressionRatio?: number;
  bytesPerSpectrum?: number;
  /** Column names and types, in order. */
  schema?: string;
}

/** The whole validation. */
export interface AnalyzeReport {
  ok: boolean;
  files: FileReport[];
  /** Problems across files (schema differences). */
  problems: string[];
  totals: { files: number; rows: number; bytes: number; uncompressedBytes: number };
}

function q(path: string): string {
  return `'${path.replace(/'/g, "''")}'`;
}

/** Expand folders to the .parquet files they hold (recursively, sorted). */
export async function parquetFiles(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const s = await stat(p);
    if (s.isDirectory()) {
      const entries = (await readdir(p, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
      const inner = entries
        .filter((e) => e.isDirectory() || (e.name.endsWith('.parquet') && !e.name.startsWith('_')))
        .map((e) => join(p, e.name));
      out.push(...(await parquetFiles(inner)));
    } else out.push(p);
  }
  return out;
}

async function one<T = Record<string, unknown>>(c: DuckDBConnection, sql: string): Promise<T> {
  return (await c.runAndReadAll(sql)).getRowObjectsJS()[0] as T;
}

async function checkFile(c: DuckDBConnection, path: string): Promise<FileReport> {
  const problems: string[] = [];
  const bytes = (await stat(path)).size;
  const r: FileReport = { path, ok: false, problems, bytes };
  const src = `read_parquet(${q(path)})`;
  try {
    const kv = (await c.runAndReadAll(`select decode(key) k, decode(value) v from parquet_kv_metadata(${q(path)})`)).getRowObjectsJS();
    const meta = Object.fromEntries(kv.map((x) => [String(x.k), String(x.v)]));
    r.camera = meta['desi:camera'];
    const named = parseParquetFileName(basename(path));
    r.healpix = meta['desi:healpix'] !== undefined ? Number(meta['desi:healpix']) : named?.healpix;
    const m = await one<{ nrows: bigint; comp: bigint; uncomp: bigint }>(
      c,
      `select (select num_rows from parquet_file_metadata(${q(path)})) nrows, sum(total_compressed_size) comp, sum(total_uncompressed_size) uncomp from parquet_metadata(${q(path)})`,
    );
    r.rows = Number(m.nrows);
    r.uncompressedBytes = Number(m.uncomp ?? 0);
    r.compressionRatio = Number(m.comp ?? 0) > 0 ? r.uncompressedBytes / Number(m.comp) : undefined;
    r.bytesPerSpectrum = r.rows ? bytes / r.rows : undefined;
    const schema = (await c.runAndReadAll(`describe select * from ${src}`)).getRowObjectsJS();
    r.schema = schema.map((s) => `${s.column_name}:${s.column_type}`).join(',');
    if (named) {
      r.expectedRows = named.count;
      if (named.count !== r.rows) problems.push(`the name promises ${named.count} rows, the file has ${r.rows}`);
      if (r.healpix !== undefined && named.healpix !== r.healpix)
        problems.push(`the name says pixel ${named.healpix}, the metadata ${r.healpix}`);
    }
    const cols = new Set(schema.map((s) => String(s.column_name)));
    for (const need of ['target_id', 'ra', 'dec', 'z', 'wavelength', 'flux', 'ivar', 'mask_array'])
      if (!cols.has(need)) problems.push(`column ${need} is missing`);
    if (problems.some((p) => p.startsWith('column'))) return r;
    if (r.rows > 0) {
      const s = await one<Record<string, number>>(
        c,
        `select
           count(distinct len(wavelength))::int grids,
           max(len(wavelength))::int npix,
           count(*) filter (where len(flux) != len(wavelength) or len(ivar) != len(wavelength) or len(mask_array) != len(wavelength))::int mismatched,
           count(*) filter (where not list_bool_and(list_transform(flux, x -> isfinite(x))))::int nonfinite_flux,
           count(*) filter (where not list_bool_and(list_transform(ivar, x -> isfinite(x) and x >= 0)))::int bad_ivar,
           max(len(list_filter(range(1, len(wavelength)), i -> wavelength[i + 1] <= wavelength[i])))::int max_descents,
           count(*) filter (where not (isfinite(ra) and isfinite(dec) and isfinite(z)))::int bad_scalars
         from ${src}`,
      );
      r.npix = s.npix;
      if (s.grids !== 1) problems.push(`spectra have ${s.grids} different lengths`);
      if (s.mismatched) problems.push(`${s.mismatched} rows have flux/ivar/mask lengths unlike their wavelength`);
      if (s.nonfinite_flux) problems.push(`${s.nonfinite_flux} rows have non-finite flux`);
      if (s.bad_ivar) problems.push(`${s.bad_ivar} rows have negative or non-finite ivar`);
      if (s.bad_scalars) problems.push(`${s.bad_scalars} rows have non-finite ra/dec/z`);
      // brz is one increasing grid; concat restarts at the two camera joins (B→R, R→Z).
      const allowed = r.camera === 'brz' ? 0 : 2;
      if (s.max_descents > allowed)
        problems.push(`wavelength is not monotonic: ${s.max_descents} descents (at most ${allowed} for ${r.camera ?? 'unknown'} mode)`);
      if (r.healpix !== undefined) {
        const pos = (await c.runAndReadAll(`select ra, dec, target_id from ${src}`)).getRowObjectsJS();
        const outside = pos.filter((p) => radecToPixel(Number(p.ra), Number(p.dec)) !== r.healpix);
        if (outside.length)
          problems.push(`${outside.length} rows lie outside HEALPix pixel ${r.healpix} (e.g. TARGETID ${outside[0].target_id})`);
      }
    }
  } catch (e) {
    problems.push(`unreadable: ${(e as Error).message.split('\n')[0]}`);
  }
  r.ok = problems.length === 0;
  return r;
}

/**
 * Validate spectra Parquet files (or folders of them): rows against the count in the name, one
 * schema across files, consistent list lengths, finite values, monotonic wavelength per camera mode,
 * every row inside its file's HEALPix pixel, sizes and compression ratios.
 *
 * @example
 * const report = await analyzeParquet(['out/']);
 * if (!report.ok) process.exitCode = 1;
 */
export async function analyzeParquet(paths: string[]): Promise<AnalyzeReport> {
  const files = await parquetFiles(paths);
  // DuckDB (a native addon) loads only when a file is analysed, not when the package is imported.
  const { DuckDBInstance } = await optionalImport('@duckdb/node-api', 'analyzeParquet', () => import('@duckdb/node-api'));
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const reports: FileReport[] = [];
  try {
    for (const f of files) reports.push(await checkFile(c, f));
  } finally {
    c.closeSync();
  }
  const problems: string[] = [];
  const schemas = new Map<string, string[]>();
  for (const r of reports) if (r.schema) schemas.set(r.schema, [...(schemas.get(r.schema) ?? []), r.path]);
  if (schemas.size > 1) {
    const [main] = [...schemas.entries()].sort((a, b) => b[1].length - a[1].length);
    for (const [schema, ps] of schemas) {
      if (schema === main[0]) continue;
      for (const p of ps) {
        problems.push(`${p}: schema differs from ${main[1][0]}`);
        const r = reports.find((x) => x.path === p);
        if (r) {
          r.problems.push('schema differs from the other files');
          r.ok = false;
        }
      }
    }
  }
  if (files.length === 0) problems.push('no Parquet files found');
  return {
    ok: problems.length === 0 && reports.every((r) => r.ok),
    files: reports,
    problems,
    totals: {
      files: reports.length,
      rows: reports.reduce((a, r) => a + (r.rows ?? 0), 0),
      bytes: reports.reduce((a, r) => a + r.bytes, 0),
      uncompressedBytes: reports.reduce((a, r) => a + (r.uncompressedBytes ?? 0), 0),
    },
  };
}
