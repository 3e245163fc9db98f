/**
 * `desi-qso index` and `desi-qso spectra`, from a local folder and from a real S3 server: the index
 * holds every REDSHIFTS target, DuckDB can query it, and the spectra read through it equal what
 * `convert` writes for the same targets (itself checked against the reference converter).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalS3Server } from '@desi/s3-fetch';
import { DR1 } from '@desi/tile-fusion';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localWriter } from '../src/archive.js';
import { main } from '../src/cli.js';
import { convert } from '../src/convert.js';
import { buildIndex, readSpectra } from '../src/targets.js';
import { HEALPIX_ROOT, readRows, uploadTree } from './helpers.js';

const BUCKET = 'desidata';
const quiet = () => {};
/** REDSHIFTS rows of the three fixture pixels, as astropy counts them (test/fixtures/redrock-astropy.json). */
const redrock: Record<string, Record<string, unknown>> = JSON.parse(
  await readFile(join(import.meta.dirname, 'fixtures', 'redrock-astropy.json'), 'utf8'),
);
const ALL_TARGETS = Object.values(redrock).reduce((a, p) => a + Object.keys(p).length, 0);

let work: string;
let endpoint: string;
let stop: () => Promise<void>;
let converted: Array<Record<string, unknown>>;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'desi-targets-'));
  const server = await startLocalS3Server({ bucket: BUCKET });
  endpoint = server.endpoint;
  stop = server.stop;
  await uploadTree(endpoint, BUCKET, HEALPIX_ROOT, DR1.prefix);
  // Every target of every type, as convert writes them (decimals): the independent side of the comparison.
  await convert({
    source: HEALPIX_ROOT,
    out: join(work, 'all'),
    precision: { mode: 'decimals' },
    selection: { spectypes: [], zwarnMask: 0 },
    print: quiet,
  });
  converted = await readRows(join(work, 'all'));
}, 180_000);

afterAll(async () => {
  await stop?.();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('target index', () => {
  it('indexes every REDSHIFTS target of a local tree; DuckDB reads it sorted by TARGETID', async () => {
    const out = join(work, 'local-index.parquet');
    const s = await buildIndex({ source: HEALPIX_ROOT, out, print: quiet });
    expect(s).toMatchObject({ pixels_total: 3, pixels_indexed: 3, pixels_failed: 0, targets: ALL_TARGETS });
    expect(s.warnings).toEqual([]);
    const c = await (await DuckDBInstance.create(':memory:')).connect();
    const rows = (
      await c.runAndReadAll(`select target_id::varchar id, healpix, row, spectype from read_parquet('${out}')`)
    ).getRowObjectsJS();
    expect(rows.length).toBe(ALL_TARGETS);
    const ids = rows.map((r) => BigInt(r.id as string));
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    for (const r of rows) expect(redrock[`${r.healpix === 17683 ? 'sv3/bright' : 'main/dark'}/${r.healpix}`][r.id as string]).toBeDefined();
    // A re-run into another file indexes again and writes the same count.
    const again = await buildIndex({ source: HEALPIX_ROOT, out: join(work, 'local-index-2.parquet'), print: quiet });
    expect(again.targets).toBe(ALL_TARGETS);
  });

  it('convert --index-out writes the same index as desi-qso index (the two agree row for row)', async () => {
    const byConvert = join(work, 'by-convert.parquet');
    await convert({ source: HEALPIX_ROOT, out: join(work, 'with-index'), indexOut: byConvert, print: quiet });
    const c = await (await DuckDBInstance.create(':memory:')).connect();
    const a = `read_parquet('${byConvert}')`;
    const b = `read_parquet('${join(work, 'local-index.parquet')}')`;
    const count = async (q: string) => Number((await c.runAndReadAll(q)).getRowObjectsJS()[0].n);
    expect(await count(`select count(*)::int n from ${a}`)).toBe(ALL_TARGETS);
    expect(await count(`select count(*)::int n from (select * from ${a} except select * from ${b})`)).toBe(0);
    expect(await count(`select count(*)::int n from (select * from ${b} except select * from ${a})`)).toBe(0);
  });

  it('spectra of targets of any type, asked in any order, equal the converted rows', async () => {
    const index = join(work, 'local-index.parquet');
    // A QSO, a galaxy and a star if the fixtures have them, from two pixels, in an order of our own.
    const pick = [converted[5], converted[converted.length - 1], converted[40], converted[2]];
    const ids = pick.map((r) => BigInt(r.target_id as string));
    const out = join(work, 'picked.parquet');
    const r = await readSpectra({ index, targetIds: ids, source: HEALPIX_ROOT, precision: { mode: 'decimals' }, out });
    expect(r.unknown).toEqual([]);
    expect(r.rows).toBe(4);
    const got = await readRows(out);
    for (const want of pick) {
      const g = got.find((x) => x.target_id === want.target_id);
      expect(g, String(want.target_id)).toEqual(want);
    }
  });

  it('against S3: the same spectra; unknown ids reported (exit 1); a coadd replaced since indexing fails by its ETag', async () => {
    const source = `s3://${BUCKET}/${DR1.prefix}`;
    const index = join(work, 's3-index.parquet');
    const s = await buildIndex({ source, endpoint, out: index, print: quiet });
    expect(s.targets).toBe(ALL_TARGETS);
    const ids = [converted[3], converted[50]].map((r) => BigInt(r.target_id as string));
    const out = join(work, 's3-picked.parquet');
    const r = await readSpectra({ index, targetIds: ids, source, endpoint, precision: { mode: 'decimals' }, out });
    // Bytes: the two targets' rows of nine arrays and the grids of their files, nothing like whole files.
    expect(r.bytes).toBeLessThan((2 * 2 * 3 * 8 * 2900 + 2 * 9 * 4 * 2900 + 64) << 10);
    const got = await readRows(out);
    expect(got).toEqual(converted.filter((x) => ids.includes(BigInt(x.target_id as string))));
    // Unknown ids through the CLI.
    const log = console.log;
    const err = console.error;
    const said: string[] = [];
    console.log = () => {};
    console.error = (m: string) => said.push(m);
    try {
      const code = await main([
        'spectra',
        '--index',
        index,
        '--targetids',
        `${ids[0]},42`,
        '--source',
        source,
        '--endpoint',
        endpoint,
        '--out',
        join(work, 'u.parquet'),
      ]);
      expect(code).toBe(1);
      expect(said.join('\n')).toMatch(/not in the index \(1\): 42/);
    } finally {
      console.log = log;
      console.error = err;
    }
    // The coadd of the first target replaced (a new ETag): reading through the old index fails, naming the change.
    const first = got[0];
    const key = `${DR1.prefix}${first.survey}/${first.program}/${Math.floor(Number(first.healpix) / 100)}/${first.healpix}/coadd-${first.survey}-${first.program}-${first.healpix}.fits`;
    const w = localWriter(endpoint);
    const { Upload } = await import('@aws-sdk/lib-storage');
    const local = await readFile(join(HEALPIX_ROOT, key.slice(DR1.prefix.length)));
    await new Upload({ client: w, params: { Bucket: BUCKET, Key: key, Body: Buffer.concat([local, Buffer.alloc(2880)]) } }).done();
    w.destroy();
    await expect(readSpectra({ index, targetIds: [ids[0]], source, endpoint, out: join(work, 'changed.parquet') })).rejects.toThrow(
      /changed/i,
    );
  });
});
