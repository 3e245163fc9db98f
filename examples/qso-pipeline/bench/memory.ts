/**
 * `pnpm --filter @desi/qso-pipeline bench:memory`: peak RSS of `desi-qso convert` (the built bin, direct
 * mode, default settings) against a local S3 server, for issue #11's cases: 8 pixels of 1,000
 * targets, and one pixel of 4,000 targets in direct and download mode (RESOLUTION on, 6 % good QSOs; generated once into
 * `.bench/memory`). Prints wall time and peak RSS from /usr/bin/time.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { startLocalS3Server } from '@desi/s3-fetch';
import { DR1, fileName, type PixelId, pixelDir } from '@desi/tile-fusion';
import { makeSyntheticPixel } from '@desi/tile-fusion/synthetic';
import { localWriter } from '../src/archive.js';

const here = import.meta.dirname;
const CACHE = join(here, '..', '.bench', 'memory');
const PRODUCTS = ['coadd', 'redrock', 'emline'] as const;

/** A generated pixel's three files (written once). */
async function files(ntargets: number): Promise<Record<(typeof PRODUCTS)[number], string>> {
  const dir = join(CACHE, `main-dark-10016-${ntargets}`);
  const paths = Object.fromEntries(PRODUCTS.map((p) => [p, join(dir, `${p}.fits`)])) as Record<(typeof PRODUCTS)[number], string>;
  if (!existsSync(paths.emline)) {
    console.log(`generating a ${ntargets}-target pixel into ${dir}…`);
    const f = makeSyntheticPixel({ survey: 'main', program: 'dark', healpix: 10016, ntargets, qsoFraction: 0.06 });
    await mkdir(dir, { recursive: true });
    await writeFile(paths.coadd, f.coadd);
    await writeFile(paths.redrock, f.redrock);
    await writeFile(paths.emline, f.emline as Uint8Array);
  }
  return paths;
}

/** Peak RSS (MiB) and wall seconds of one whole `desi-qso convert` process. */
function measure(label: string, args: string[]): { rssMib: number; seconds: number; summary: Record<string, number> } {
  const out = join(tmpdir(), `desi-qso-mem-${process.pid}-${label.replace(/\W+/g, '-')}`);
  const summaryPath = `${out}.json`;
  const r = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      '@@%M %e',
      process.execPath,
      join(here, '..', 'dist', 'cli.js'),
      'convert',
      ...args,
      '--out',
      out,
      '--summary-json',
      summaryPath,
    ],
    {
      encoding: 'utf8',
    },
  );
  const m = /@@(\d+) ([\d.]+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`${label}: ${r.stderr}\n${r.stdout}`);
  const summary = JSON.parse(execFileSync('cat', [summaryPath], { encoding: 'utf8' }));
  spawnSync('rm', ['-rf', out, summaryPath]);
  return { rssMib: Number(m[1]) / 1024, seconds: Number(m[2]), summary };
}

execFileSync(process.execPath, [resolve(here, '..', '..', '..', 'scripts', 'ensure-built.mjs')], { stdio: 'inherit' });
const server = await startLocalS3Server({ bucket: DR1.bucket });
try {
  const s3 = localWriter(server.endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: 'bench4000' })).catch(() => {});
  const put = async (bucket: string, p: PixelId, paths: Record<(typeof PRODUCTS)[number], string>) => {
    for (const product of PRODUCTS) {
      const Key = `${DR1.prefix}${pixelDir(p)}${fileName(product, p)}`;
      await new Upload({ client: s3, params: { Bucket: bucket, Key, Body: await readFile(paths[product]) }, partSize: 8 << 20 }).done();
    }
  };
  // Eight pixels of 1,000 targets: the same files under eight pixel numbers.
  const small = await files(1000);
  for (let i = 0; i < 8; i++) await put(DR1.bucket, { survey: 'main', program: 'dark', healpix: 10016 + i }, small);
  const big = await files(4000);
  await put('bench4000', { survey: 'main', program: 'dark', healpix: 10016 }, big);
  const common = ['--endpoint', server.endpoint];
  const a = measure('8x1000', ['--source', `s3://${DR1.bucket}/${DR1.prefix}`, ...common]);
  const b = measure('1x4000', ['--source', `s3://bench4000/${DR1.prefix}`, ...common]);
  const c = measure('1x4000-download', ['--source', `s3://bench4000/${DR1.prefix}`, '--mode', 'download', ...common]);
  console.log('\n| run (default settings) | pixels | QSOs | wall s | peak RSS MiB |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  console.log(
    `| 8 pixels of 1,000 targets | ${a.summary.pixels_ok} | ${a.summary.qsos} | ${a.seconds.toFixed(1)} | ${a.rssMib.toFixed(0)} |`,
  );
  console.log(
    `| 1 pixel of 4,000 targets | ${b.summary.pixels_ok} | ${b.summary.qsos} | ${b.seconds.toFixed(1)} | ${b.rssMib.toFixed(0)} |`,
  );
  console.log(
    `| 1 pixel of 4,000 targets, download mode | ${c.summary.pixels_ok} | ${c.summary.qsos} | ${c.seconds.toFixed(1)} | ${c.rssMib.toFixed(0)} |`,
  );
  s3.destroy();
} finally {
  await server.stop();
}
