/**
 * The shaped link the network benchmarks run over: a network namespace of their own whose loopback is
 * limited with `tc … tbf rate 320mbit` (≈ 40 MB/s), a delay proxy (25 ms each way) in front of a local
 * S3 server, and realistic generated pixels (1,000–2,500 targets, RESOLUTION on) cached in .bench/network.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { DR1, fileName, type PixelId, pixelDir } from '@desi/tile-fusion';
import { makeSyntheticPixel } from '@desi/tile-fusion/synthetic';
import { localWriter } from '../src/archive.js';

const here = import.meta.dirname;
const CACHE = join(here, '..', '.bench', 'network');
export const PIXELS: Array<PixelId & { ntargets: number }> = [
  { survey: 'main', program: 'dark', healpix: 10016, ntargets: 1000 },
  { survey: 'main', program: 'dark', healpix: 10017, ntargets: 2500 },
  { survey: 'main', program: 'dark', healpix: 10018, ntargets: 1500 },
  { survey: 'main', program: 'bright', healpix: 10016, ntargets: 2000 },
  { survey: 'main', program: 'bright', healpix: 10019, ntargets: 1200 },
  { survey: 'sv3', program: 'dark', healpix: 26065, ntargets: 1800 },
];
/**
 * Good QSOs per target: DR1 has ≈ 1.5 M of its ≈ 18.7 M coadded spectra per pixel-survey-program as
 * good QSOs at most; 6 % (150 of 2,500) is what tile-fusion's figures use.
 */
export const QSO_FRACTION = 0.06;
export const TBF = ['tbf', 'rate', '320mbit', 'burst', '256kb', 'latency', '50ms'];

/**
 * Run `script` again inside a network namespace of its own (with `--inner`), as root; returns its exit
 * code. The namespace's loopback is all the traffic sees.
 */
export function inNamespace(script: string, name: string): number {
  if (process.getuid?.() !== 0) {
    console.error(`${name} needs root: it creates a network namespace and shapes its loopback with tc.`);
    return 2;
  }
  const ns = `desiqso${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    execFileSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
    const args = ['--conditions=source', '--import', import.meta.resolve('tsx'), fileURLToPath(script), '--inner'];
    return spawnSync('ip', ['netns', 'exec', ns, process.execPath, ...args], { stdio: 'inherit' }).status ?? 1;
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
}

/** The pixel files, generated once into .bench/network (≈ 5 GB). */
export async function pixelFiles(p: PixelId & { ntargets: number }): Promise<Record<'coadd' | 'redrock' | 'emline', string>> {
  const dir = join(CACHE, `${p.survey}-${p.program}-${p.healpix}-${p.ntargets}-q${QSO_FRACTION}`);
  const paths = { coadd: join(dir, 'coadd.fits'), redrock: join(dir, 'redrock.fits'), emline: join(dir, 'emline.fits') };
  if (!existsSync(paths.emline)) {
    console.error(`  generating ${p.survey}/${p.program}/${p.healpix} (${p.ntargets} targets)…`);
    const f = makeSyntheticPixel({ ...p, qsoFraction: QSO_FRACTION });
    await mkdir(dir, { recursive: true });
    await writeFile(paths.coadd, f.coadd);
    await writeFile(paths.redrock, f.redrock);
    await writeFile(paths.emline, f.emline as Uint8Array);
  }
  return paths;
}

/** Every pixel's coadd, redrock and emline in the link's S3 server; returns the bytes stored. */
export async function uploadArchive(
  endpoint: string,
  files: Array<{ p: PixelId; paths: Record<'coadd' | 'redrock' | 'emline', string> }>,
): Promise<number> {
  const s3 = localWriter(endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: DR1.bucket }));
  let bytes = 0;
  for (const { p, paths } of files) {
    for (const product of ['coadd', 'redrock', 'emline'] as const) {
      const body = await readFile(paths[product]);
      bytes += body.length;
      const Key = `${DR1.prefix}${pixelDir(p)}${fileName(product, p)}`;
      await new Upload({ client: s3, params: { Bucket: DR1.bucket, Key, Body: body }, partSize: 8 << 20, queueSize: 4 }).done();
    }
  }
  s3.destroy();
  return bytes;
}

/** Shape the namespace's loopback (undo with {@link unshape}). */
export function shape(): void {
  execFileSync('tc', ['qdisc', 'add', 'dev', 'lo', 'root', ...TBF]);
}

export function unshape(): void {
  execFileSync('tc', ['qdisc', 'del', 'dev', 'lo', 'root']);
}

export async function startLink(): Promise<{
  endpoint: string;
  cpuMs: () => Promise<number>;
  bytes: () => Promise<number>;
  stop: () => Promise<void>;
}> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', import.meta.resolve('tsx'), join(here, 'link-server.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  const waiters: Array<(line: string) => void> = [];
  child.stdout.on('data', (d: Buffer) => {
    out += d;
    for (let i = out.indexOf('\n'); i >= 0; i = out.indexOf('\n')) {
      const line = out.slice(0, i);
      out = out.slice(i + 1);
      waiters.shift()?.(line);
    }
  });
  const nextLine = () => new Promise<string>((r) => waiters.push(r));
  const endpoint = await new Promise<string>((resolve, reject) => {
    nextLine().then((l) => resolve(l.replace(/^READY /, '')));
    child.on('exit', (code) => reject(new Error(`link server exited (${code})`)));
  });
  const cpuMs = async () => {
    const line = nextLine();
    child.stdin.write('cpu\n');
    return Number((await line).replace(/^CPU /, ''));
  };
  const bytes = async () => {
    const line = nextLine();
    child.stdin.write('bytes\n');
    return Number((await line).replace(/^BYTES /, ''));
  };
  const stop = () =>
    new Promise<void>((r) => {
      child.once('exit', () => r());
      child.stdin.end();
    });
  return { endpoint, cpuMs, bytes, stop };
}

/** Throughput and round trip of the shaped link, measured with plain ranged GETs. */
export async function measureLink(url: string): Promise<{ mbps: number; rttMs: number }> {
  let t = performance.now();
  await (await fetch(url, { headers: { range: 'bytes=0-0' } })).arrayBuffer();
  const rttMs = performance.now() - t;
  t = performance.now();
  const n = (await (await fetch(url, { headers: { range: `bytes=0-${(64 << 20) - 1}` } })).arrayBuffer()).byteLength;
  return { mbps: n / 1e6 / ((performance.now() - t) / 1000), rttMs };
}
