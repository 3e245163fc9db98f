/**
 * `pnpm bench:targets` (root required): spectra by TARGETID over the shaped link of bench:network
 * (≈ 40 MB/s, 25 ms each way; see shaped-link.ts). It builds the index of the benchmark archive's
 * pixels, reads 1,000 TARGETIDs spread over them, and times one TARGETID from a cold start of the
 * built bin (`node dist/cli.js spectra …`), printing each against the targets.
 */
import '../src/quiet.js';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFits } from '@desi/fits-reader';
import { DR1 } from '@desi/tile-fusion';
import { buildIndex, readSpectra } from '../src/targets.js';
import { inNamespace, measureLink, PIXELS, pixelFiles, shape, startLink, unshape, uploadArchive } from './shaped-link.js';

const here = import.meta.dirname;
const TARGETS = 1000;

/** The two redrock tables' bytes (REDSHIFTS and FIBERMAP data units), what building the index may cost per pixel. */
async function redrockTableBytes(path: string): Promise<number> {
  const fits = await openFits(path);
  const hdus = await fits.hdus();
  await fits.close();
  return hdus.filter((h) => h.name === 'REDSHIFTS' || h.name === 'FIBERMAP').reduce((a, h) => a + h.dataSize, 0);
}

async function inner(): Promise<number> {
  const files = [];
  for (const p of PIXELS) files.push({ p, paths: await pixelFiles(p) });
  const link = await startLink();
  const work = await mkdtemp(join(tmpdir(), 'desi-targets-bench-'));
  let shaped = false;
  try {
    await uploadArchive(link.endpoint, files);
    let tables = 0;
    for (const f of files) tables += await redrockTableBytes(f.paths.redrock);
    shape();
    shaped = true;
    const first = PIXELS[0];
    const link0 = await measureLink(`${link.endpoint}/${DR1.bucket}/${DR1.prefix}main/dark/100/10016/coadd-main-dark-10016.fits`);
    console.log(
      `link: ${link0.mbps.toFixed(1)} MB/s, ${link0.rttMs.toFixed(0)} ms per small request (${first.survey}/${first.program}/${first.healpix}…)`,
    );
    const source = `s3://${DR1.bucket}/${DR1.prefix}`;

    // 1. The index.
    const indexPath = join(work, 'targets.parquet');
    const s = await buildIndex({ source, endpoint: link.endpoint, out: indexPath, print: () => {} });
    console.log(
      `index: ${s.targets} targets of ${s.pixels_indexed} pixels in ${s.seconds.toFixed(1)} s; read ${(s.bytes_read / 1e6).toFixed(2)} MB ` +
        `against ${(tables / 1e6).toFixed(2)} MB for the redrock tables alone (${(s.bytes_read / tables).toFixed(2)}×)`,
    );

    // 2. 1,000 TARGETIDs spread over the pixels (every k-th target of the index).
    const ids: bigint[] = [];
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const c = await (await DuckDBInstance.create(':memory:')).connect();
    const rows = (
      await c.runAndReadAll(`select target_id::varchar id from read_parquet('${indexPath}') using sample ${TARGETS} rows (reservoir, 7)`)
    ).getRowObjectsJS();
    for (const r of rows) ids.push(BigInt(r.id as string));
    const npix = (
      await c.runAndReadAll(
        `select any_value(b_npix + r_npix + z_npix)::int n, count(distinct coadd)::int files from read_parquet('${indexPath}') where target_id in (${ids.join(',')})`,
      )
    ).getRowObjectsJS()[0];
    // Each target's own bytes: nine rows of 4-byte values; each file's grids once: 8-byte values.
    const own = ids.length * Number(npix.n) * 12 + Number(npix.files) * Number(npix.n) * 8;
    const server0 = await link.cpuMs();
    const client0 = process.cpuUsage();
    const t = performance.now();
    const r = await readSpectra({ index: indexPath, targetIds: ids, source, endpoint: link.endpoint, out: join(work, 'thousand.parquet') });
    const secs = (performance.now() - t) / 1000;
    const serverSecs = ((await link.cpuMs()) - server0) / 1000;
    const cu = process.cpuUsage(client0);
    const clientSecs = (cu.user + cu.system) / 1e6;
    const floor = r.bytes / 1e6 / link0.mbps;
    console.log(
      `${ids.length} TARGETIDs over ${npix.files} coadds: ${secs.toFixed(2)} s; ${(r.bytes / 1e6).toFixed(2)} MB in ${r.requests} requests ` +
        `(${(r.requests / ids.length).toFixed(1)} per target; target ≤ 10); bytes ${(r.bytes / own).toFixed(3)}× the rows' own (target ≤ 1.1); ` +
        `link floor ${floor.toFixed(2)} s → ${(secs / floor).toFixed(2)}× (target ≤ 1.2)`,
    );
    console.log(
      `  CPU during it: reader ${clientSecs.toFixed(1)} s, S3 server + delay proxy ${serverSecs.toFixed(1)} s ` +
        `(${((1000 * (clientSecs + serverSecs)) / r.requests).toFixed(2)} ms a request, on ${availableParallelism()} cores)`,
    );

    // 3. One TARGETID from a cold start of the built bin.
    const bin = join(here, '..', 'dist', 'cli.js');
    const one = ids[0];
    const runs: number[] = [];
    for (let k = 0; k < 3; k++) {
      const t0 = performance.now();
      const p = spawnSync(
        process.execPath,
        [
          bin,
          'spectra',
          '--index',
          indexPath,
          '--targetids',
          String(one),
          '--source',
          source,
          '--endpoint',
          link.endpoint,
          '--out',
          join(work, `one-${k}.parquet`),
        ],
        { encoding: 'utf8', env: { ...process.env, DESI_QSO_TIMING: '1' } },
      );
      if (p.status !== 0) throw new Error(`spectra failed: ${p.stderr}`);
      runs.push((performance.now() - t0) / 1000);
      if (k === 0)
        console.log(`  where the first cold run's time went (since the command began):\n${p.stderr.trimEnd().replace(/^/gm, '    ')}`);
    }
    console.log(`one TARGETID from a cold start of dist/cli.js: ${runs.map((x) => x.toFixed(2)).join(', ')} s (target ≤ 0.5 s)`);
    await mkdir(join(here, '..', '.bench'), { recursive: true });
    await writeFile(
      join(here, '..', '.bench', 'targets-results.json'),
      `${JSON.stringify({ link: link0, index: s, tables, thousand: { ids: ids.length, seconds: secs, bytes: r.bytes, requests: r.requests, own, floor, clientSecs, serverSecs }, one: runs }, (_, v) => (typeof v === 'bigint' ? String(v) : v), 2)}\n`,
    );
    return 0;
  } finally {
    if (shaped) unshape();
    await link.stop();
    await rm(work, { recursive: true, force: true });
  }
}

const code = process.argv.includes('--inner') ? await inner() : inNamespace(import.meta.url, 'bench:targets');
process.exit(code);
