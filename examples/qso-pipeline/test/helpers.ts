import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Upload } from '@aws-sdk/lib-storage';
import { DuckDBInstance } from '@duckdb/node-api';
import { localWriter } from '../src/archive.js';

/**
 * The DESI fixture pixels and the reference converter's output, kept once in the repo beside
 * tile-fusion's tests (data only; copying 27 MB twice would bloat the clone).
 */
export const FIX = join(import.meta.dirname, '..', '..', '..', 'packages', 'tile-fusion', 'test', 'fixtures');
export const HEALPIX_ROOT = join(FIX, 'dr1', 'spectro', 'redux', 'iron', 'healpix');
export const FIXTURE_PIXELS = ['main/dark/10016', 'main/dark/26280', 'sv3/bright/17683'];

// biome-ignore lint/suspicious/noExplicitAny: reference rows are loosely typed JSON
export type RefRow = Record<string, any>;

/** The reference converter's rows of a pixel (TARGETID kept as text: JSON loses int64 digits). */
export function reference(id: string): RefRow[] {
  const [survey, program, healpix] = id.split('/');
  const path = join(FIX, 'expected', `${survey}-${program}-${healpix}.jsonl.gz`);
  if (!existsSync(path)) throw new Error(`no reference for ${id}`);
  return gunzipSync(readFileSync(path))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => ({ ...JSON.parse(l), target_id: /"target_id":\s*(-?\d+)/.exec(l)?.[1] }));
}

/** Upload a local tree to `s3://bucket/prefix` on a local server. */
export async function uploadTree(endpoint: string, bucket: string, root: string, prefix: string): Promise<number> {
  const s3 = localWriter(endpoint);
  let n = 0;
  for (const name of (await readdir(root, { recursive: true, withFileTypes: true })).filter((e) => e.isFile())) {
    const path = join(name.parentPath, name.name);
    const key = prefix + relative(root, path).split('\\').join('/');
    await new Upload({ client: s3, params: { Bucket: bucket, Key: key, Body: await readFile(path) }, partSize: 8 << 20 }).done();
    n++;
  }
  s3.destroy();
  return n;
}

/** Every row of the Parquet files under a folder (or of one file), in a stable order, as JSON-safe values. */
export async function readRows(folder: string, columns = '*'): Promise<Array<Record<string, unknown>>> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const rows = (
      await c.runAndReadAll(
        `select ${columns} from read_parquet('${folder.endsWith('.parquet') ? folder : `${folder}/**/*.parquet`}', union_by_name = true) order by survey, program, healpix, target_id`,
      )
    ).getRowObjectsJS();
    return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v])));
  } finally {
    c.closeSync();
  }
}

/** Files below a folder (relative paths), sorted. */
export async function listFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(folder, join(e.parentPath, e.name)))
    .sort();
}
