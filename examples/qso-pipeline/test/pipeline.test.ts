import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm, truncate, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicClient, listAll, startLocalS3Server } from '@desi/s3-fetch';
import { DR1 } from '@desi/tile-fusion';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { type ConvertSummary, convert } from '../src/convert.js';
import { FIXTURE_PIXELS, HEALPIX_ROOT, listFiles, readRows, reference, uploadTree } from './helpers.js';
import { startOutageProxy } from './outage-proxy.js';

/** REDSHIFTS/FIBERMAP scalars of the fixture targets as astropy reads them (test/fixtures/make_redrock.py). */
const redrockAstropy: Record<string, Record<string, Record<string, number | string>>> = JSON.parse(
  readFileSync(join(import.meta.dirname, 'fixtures', 'redrock-astropy.json'), 'utf8'),
);

const BUCKET = 'desidata';
const SOURCE = `s3://${BUCKET}/${DR1.prefix}`;
const CLI = join(import.meta.dirname, '..', 'src', 'bin.ts');
const quiet = () => {};
/** The rows of the first (uninterrupted, decimals) conversion: what every other run must reproduce. */
let directRows: Array<Record<string, unknown>>;

let endpoint: string;
let stop: () => Promise<void>;
let work: string;

beforeAll(async () => {
  const server = await startLocalS3Server({ bucket: BUCKET });
  endpoint = server.endpoint;
  stop = server.stop;
  work = await mkdtemp(join(tmpdir(), 'desi-qso-'));
  await uploadTree(endpoint, BUCKET, HEALPIX_ROOT, DR1.prefix);
}, 120_000);

afterAll(async () => {
  await stop?.();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Equal numbers, with the reference's null standing for NaN/±inf. */
function firstDiff(ours: number[], ref: Array<number | null>): string | undefined {
  if (ours.length !== ref.length) return `length ${ours.length} ≠ ${ref.length}`;
  for (let i = 0; i < ref.length; i++) {
    const ok = ref[i] === null ? ours[i] === null || !Number.isFinite(ours[i]) : ours[i] === ref[i];
    if (!ok) return `[${i}] ${ours[i]} ≠ ${ref[i]}`;
  }
  return undefined;
}

/** CLI arguments converting the S3 fixture pixels one at a time (decimals), each batch one pixel. */
function oneByOne(out: string): string[] {
  return [
    'convert',
    '--source',
    SOURCE,
    '--endpoint',
    endpoint,
    '--out',
    out,
    '--precision',
    'decimals',
    '--tiles-per-batch',
    '1',
    '--workers',
    '1',
  ];
}

/** Run the CLI in a child process (so it can be killed), resolving to its exit code and output. */
function runCli(
  args: string[],
  onStdout?: (text: string, kill: () => void, child: ReturnType<typeof spawn>) => void,
): Promise<{ code: number | null; signal: string | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', import.meta.resolve('tsx'), CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const take = (d: Buffer) => {
      out += d.toString();
      onStdout?.(out, () => child.kill('SIGKILL'), child);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code, signal) => resolve({ code, signal, out }));
  });
}

describe('desi-qso convert against a local S3 server', () => {
  let direct: ConvertSummary;

  it('direct mode: output values equal the reference converter (decimals precision)', async () => {
    const out = join(work, 'direct');
    direct = await convert({ source: SOURCE, endpoint, out, precision: { mode: 'decimals' }, print: quiet });
    expect(direct).toMatchObject({ pixels_total: 3, pixels_ok: 3, pixels_failed: 0, pixels_skipped: 0, mode: 'direct' });
    directRows = await readRows(out);
    let total = 0;
    for (const id of FIXTURE_PIXELS) {
      const [survey, program, healpix] = id.split('/');
      const ref = reference(id).sort((a, b) => (BigInt(a.target_id) < BigInt(b.target_id) ? -1 : 1));
      const ours = directRows.filter((r) => r.survey === survey && r.program === program && r.healpix === Number(healpix));
      expect(ours.map((r) => r.target_id)).toEqual(ref.map((r) => r.target_id));
      const rr = redrockAstropy[id];
      ref.forEach((r, k) => {
        const o = ours[k];
        const at = `${id} ${r.target_id}`;
        const compared = new Set(['survey', 'program', 'healpix', 'target_id']);
        // Every column the reference converter writes, value for value.
        for (const [key, want] of Object.entries(r)) {
          if (key === 'target_id') continue;
          compared.add(key);
          if (Array.isArray(want)) expect(firstDiff(o[key] as number[], want), `${at} ${key}`).toBeUndefined();
          else if (key === 'rr_chi2' && want === null)
            expect(o[key], `${at} rr_chi2 (REDSHIFTS CHI2 by astropy)`).toBe(rr[r.target_id].chi2);
          else if (want === null) expect(o[key] === null || !Number.isFinite(o[key] as number), `${at} ${key}: ${o[key]}`).toBe(true);
          else expect(o[key], `${at} ${key}`).toBe(want);
        }
        // The columns it does not write, against astropy's reading of REDSHIFTS and FIBERMAP.
        const a = rr[r.target_id];
        for (const key of ['zerr', 'zwarn', 'spectype', 'subtype', 'deltachi2', 'dec'] as const) {
          compared.add(key);
          expect(key === 'zwarn' ? Number(o[key]) : o[key], `${at} ${key}`).toBe(a[key]);
        }
        // DR1's spectroscopic production, as its archive path names it (…/spectro/redux/iron/…).
        compared.add('specprod');
        expect(o.specprod, at).toBe('iron');
        // A column added to the product must be compared here too.
        expect(
          Object.keys(o).filter((c) => !compared.has(c)),
          at,
        ).toEqual([]);
      });
      total += ref.length;
    }
    expect(direct.qsos).toBe(total);
    expect(directRows.length).toBe(total);
    // Direct mode reads a small part of the files (no RESOLUTION, no unused HDUs).
    const stored = (await listFiles(HEALPIX_ROOT)).length;
    expect(stored).toBeGreaterThan(0);
    expect(direct.bytes_read).toBeGreaterThan(0);
    expect(direct.bytes_read).toBeLessThan(0.5 * (14469120 + 2 * 4017600));
  }, 120_000);

  it('download mode stages whole files, deletes them, and writes the same Parquet content', async () => {
    const out = join(work, 'download');
    const s = await convert({ source: SOURCE, endpoint, out, mode: 'download', precision: { mode: 'decimals' }, print: quiet });
    expect(s).toMatchObject({ pixels_ok: 3, pixels_failed: 0, qsos: direct.qsos, mode: 'download' });
    expect(s.bytes_read).toBeGreaterThan(direct.bytes_read); // whole files
    expect(await readRows(out)).toEqual(directRows);
    expect(existsSync(join(out, '.work'))).toBe(false);
    expect((await listFiles(out)).filter((f) => f.endsWith('.parquet')).sort()).toEqual(
      (await listFiles(join(work, 'direct'))).filter((f) => f.endsWith('.parquet')).sort(),
    );
  }, 120_000);

  it('direct mode through the S3 SDK transport writes the same rows as through plain fetch', async () => {
    const s = await convert({
      source: SOURCE,
      endpoint,
      out: join(work, 'direct-sdk'),
      rangeTransport: 'sdk',
      precision: { mode: 'decimals' },
      print: quiet,
    });
    expect(s).toMatchObject({ pixels_ok: 3, bytes_read: direct.bytes_read });
    expect(await readRows(join(work, 'direct-sdk'))).toEqual(directRows);
  }, 120_000);

  it('a re-run skips verified pixels and redoes one whose output was damaged', async () => {
    const out = join(work, 'direct');
    const again = await convert({ source: SOURCE, endpoint, out, precision: { mode: 'decimals' }, print: quiet });
    expect(again).toMatchObject({ pixels_skipped: 3, pixels_ok: 0, bytes_read: 0 });
    const victim = (await listFiles(out)).find((f) => f.includes('TILE10016'));
    expect(victim).toBeDefined();
    await truncate(join(out, victim as string), 100);
    const third = await convert({ source: SOURCE, endpoint, out, precision: { mode: 'decimals' }, print: quiet });
    expect(third).toMatchObject({ pixels_skipped: 2, pixels_ok: 1 });
    expect(await readRows(out)).toEqual(directRows);
  }, 120_000);

  it('a re-run with other options or changed inputs converts again instead of keeping stale files', async () => {
    // A local copy of the archive, so an input can be changed in place.
    const src = join(work, 'stale-src');
    await cp(HEALPIX_ROOT, src, { recursive: true });
    const out = join(work, 'stale');
    const lossless = await convert({ source: src, out, print: quiet });
    expect(lossless).toMatchObject({ pixels_ok: 3, pixels_skipped: 0 });
    const losslessRows = await readRows(out);
    // Another precision: every pixel again (same file names, other content), nothing skipped.
    const lines: string[] = [];
    const decimals = await convert({ source: src, out, precision: { mode: 'decimals' }, print: (l) => lines.push(l) });
    expect(decimals).toMatchObject({ pixels_ok: 3, pixels_skipped: 0 });
    expect(lines.join('\n')).toMatch(/3 pixel\(s\) in the journal were converted with other options \(3\)/);
    const decimalRows = await readRows(out);
    expect(decimalRows.length).toBe(losslessRows.length);
    expect(decimalRows).not.toEqual(losslessRows);
    expect(decimalRows).toEqual(directRows); // the same as the decimals conversion straight from S3
    // The same options spelt out (the defaults made explicit): nothing to do.
    const same = await convert({
      source: src,
      out,
      precision: { mode: 'decimals', flux: 6, wavelength: 2 },
      camera: 'concat',
      print: quiet,
    });
    expect(same).toMatchObject({ pixels_ok: 0, pixels_skipped: 3 });
    // An input rewritten (new modification time): that pixel only.
    const redrock = (await readdir(src, { recursive: true })).find((f) => f.includes('redrock') && f.includes('10016')) as string;
    const later = new Date(Date.now() + 60_000);
    await utimes(join(src, redrock), later, later);
    const touched = await convert({ source: src, out, precision: { mode: 'decimals' }, print: quiet });
    expect(touched).toMatchObject({ pixels_ok: 1, pixels_skipped: 2 });
    // Another selection changes the counts, so the file names: the earlier files go, no stale ones stay.
    await convert({ source: src, out, precision: { mode: 'decimals' }, selection: { spectypes: [] }, print: quiet });
    const files = (await listFiles(out)).filter((f) => f.endsWith('.parquet'));
    expect(files.length).toBe(3);
    const all = await readRows(out);
    expect(all.length).toBeGreaterThan(decimalRows.length);
  }, 120_000);

  it('writes to an s3:// output (multipart uploads) the same files as to a folder', async () => {
    const s = await convert({
      source: SOURCE,
      endpoint,
      out: `s3://${BUCKET}/out/qso/`,
      outCredentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      workDir: join(work, 's3-out'),
      precision: { mode: 'decimals' },
      print: quiet,
    });
    expect(s).toMatchObject({ pixels_ok: 3, pixels_failed: 0 });
    const keys = (await listAll(createPublicClient({ endpoint }), BUCKET, 'out/qso/')).map((o) => o.key.slice('out/qso/'.length)).sort();
    const local = (await listFiles(join(work, 'direct'))).filter((f) => f.endsWith('.parquet')).sort();
    expect(keys).toEqual(local);
  }, 120_000);

  it('shards 0..N-1 together cover every pixel exactly once', async () => {
    for (const count of [2, 3]) {
      const out = join(work, `shards-${count}`);
      let ok = 0;
      for (let index = 0; index < count; index++) {
        const s = await convert({ source: SOURCE, endpoint, out, shard: { index, count, source: 'test' }, print: quiet });
        expect(s.pixels_failed + s.pixels_skipped).toBe(0);
        ok += s.pixels_ok;
      }
      const journal = await readFile(join(out, '.desi-qso-journal.jsonl'), 'utf8');
      const seen = journal
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).id as string);
      expect(ok).toBe(FIXTURE_PIXELS.length);
      expect(seen.sort()).toEqual([...FIXTURE_PIXELS].sort());
    }
  }, 180_000);

  it('the documented sbatch array script converts every pixel once across its tasks', async () => {
    const out = join(work, 'slurm');
    const script = join(import.meta.dirname, '..', 'deploy', 'desi-qso.sbatch');
    const root = join(import.meta.dirname, '..', '..', '..');
    let ok = 0;
    for (let task = 0; task < 3; task++) {
      const env = {
        ...process.env,
        SLURM_ARRAY_TASK_ID: String(task),
        SLURM_ARRAY_TASK_COUNT: '3',
        DESI_QSO_SOURCE: SOURCE,
        DESI_QSO_OUT: out,
        DESI_QSO_ENDPOINT: endpoint,
      };
      const r = spawnSync('bash', [script], { cwd: root, env, encoding: 'utf8' });
      expect(r.status, r.stderr + r.stdout).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`shard ${task}/3 from SLURM`));
      ok += JSON.parse(await readFile(join(out, `summary-${task}.json`), 'utf8')).pixels_ok;
    }
    expect(ok).toBe(FIXTURE_PIXELS.length);
    expect((await readRows(out, 'target_id')).length).toBe(direct.qsos);
  }, 180_000);

  it('--layout hats writes a HATS catalogue per survey/program that finalize completes', async () => {
    const out = join(work, 'hats');
    const s = await convert({ source: SOURCE, endpoint, out, layout: 'hats', print: quiet });
    expect(s.pixels_ok).toBe(3);
    const log = console.log;
    console.log = () => {};
    try {
      expect(await main(['finalize', '--out', out])).toBe(0);
    } finally {
      console.log = log;
    }
    for (const cat of ['main_dark', 'sv3_bright']) {
      expect(existsSync(join(out, cat, 'hats.properties'))).toBe(true);
      expect(existsSync(join(out, cat, 'dataset', '_metadata'))).toBe(true);
    }
    const partitions = await readFile(join(out, 'main_dark', 'partition_info.csv'), 'utf8');
    expect(partitions).toMatch(/10016/);
    expect(partitions).toMatch(/26280/);
  }, 120_000);

  it('a pixel with a corrupt file is reported failed while the rest succeed (CLI exit code and summary file)', async () => {
    // A local mirror with one pixel's coadd cut short.
    const mirror = join(work, 'mirror');
    for (const f of await listFiles(HEALPIX_ROOT)) {
      await mkdir(join(mirror, f, '..'), { recursive: true });
      await copyFile(join(HEALPIX_ROOT, f), join(mirror, f));
    }
    await truncate(join(mirror, 'main/dark/262/26280/coadd-main-dark-26280.fits'), 2_000_000);
    const summaryPath = join(work, 'corrupt-summary.json');
    const code = await main([
      'convert',
      '--source',
      mirror,
      '--out',
      join(work, 'corrupt'),
      '--summary-json',
      summaryPath,
      '--tiles-per-batch',
      '2',
    ]);
    expect(code).toBe(1);
    const summary = JSON.parse(await readFile(summaryPath, 'utf8'));
    expect(summary).toMatchObject({ pixels_ok: 2, pixels_failed: 1, pixels_skipped: 0 });
    for (const key of ['qsos', 'bytes_read', 'bytes_written', 'seconds']) expect(typeof summary[key]).toBe('number');
    expect(summary.failures).toHaveLength(1);
    expect(summary.failures[0].pixel).toBe('main/dark/26280');
    expect(summary.failures[0].error).toMatch(/coadd-main-dark-26280\.fits/);
    expect(summary.failures[0].error).toMatch(/truncated/);
    const log = await readFile(join(work, 'corrupt', 'desi-qso.log'), 'utf8');
    expect(log).toMatch(/FAILED main\/dark\/26280/);
  }, 120_000);

  // Seeded (DESI_QSO_KILL_SEED to replay a failure): which batch line to wait for, then how long before the kill.
  const killSeed = Number(process.env.DESI_QSO_KILL_SEED ?? 20261204);
  it(`a run killed with SIGKILL after a pixel finished (seed ${killSeed}) resumes: it skips what was done, and the rows equal an uninterrupted run`, async () => {
    let state = killSeed >>> 0;
    const random = () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
    const out = join(work, 'killed');
    const args = oneByOne(out);
    const afterBatch = 1 + Math.floor(random() * 2); // batch 1 or 2 of 3
    const delayMs = Math.floor(random() * 300); // somewhere in the next pixel
    let armed = false;
    const first = await runCli(args, (text, kill) => {
      if (!armed && new RegExp(`batch ${afterBatch}/3`).test(text)) {
        armed = true;
        setTimeout(kill, delayMs);
      }
    });
    expect(armed, first.out).toBe(true);
    expect(first.signal === 'SIGKILL' || first.code === 0, first.out).toBe(true);
    const second = await runCli([...args, '--summary-json', join(work, 'killed.json')]);
    expect(second.code, second.out).toBe(0);
    const s = JSON.parse(await readFile(join(work, 'killed.json'), 'utf8'));
    // The resume happened: every pixel finished before the kill is skipped, the rest converted.
    expect(s.pixels_skipped).toBeGreaterThanOrEqual(afterBatch);
    expect(s.pixels_ok + s.pixels_skipped).toBe(3);
    expect(await readRows(out)).toEqual(directRows);
    expect((await listFiles(out)).filter((f) => /\.tmp-/.test(f) || f.startsWith('.work'))).toEqual([]);
  }, 180_000);
});

describe('run safety', () => {
  const args = oneByOne;

  it('SIGTERM to the bin ends the run cleanly: in-flight pixels finish, "interrupted" is logged, a re-run resumes', async () => {
    const out = join(work, 'sigterm');
    let sent = false;
    const first = await runCli([...args(out), '--summary-json', join(work, 'sigterm.json')], (text, _kill, child) => {
      if (!sent && /batch 1\/3/.test(text)) {
        sent = true;
        child.kill('SIGTERM');
      }
    });
    expect(first.code, first.out).toBe(143);
    expect(first.out).toMatch(/interrupted \(SIGTERM\)/);
    const s = JSON.parse(await readFile(join(work, 'sigterm.json'), 'utf8'));
    expect(s).toMatchObject({ stopped: 'interrupted', signal: 'SIGTERM' });
    expect(s.pixels_ok + s.pixels_failed).toBeLessThan(3);
    expect(s.pixels_not_started).toBeGreaterThan(0);
    expect(await readFile(join(out, 'desi-qso.log'), 'utf8')).toMatch(/interrupted/);
    const second = await runCli([...args(out), '--summary-json', join(work, 'sigterm2.json')]);
    expect(second.code, second.out).toBe(0);
    const s2 = JSON.parse(await readFile(join(work, 'sigterm2.json'), 'utf8'));
    expect(s2.pixels_skipped).toBe(s.pixels_ok);
    expect(await readRows(out)).toEqual(directRows);
    expect((await listFiles(out)).filter((f) => /\.tmp-|\.desi-qso-lock/.test(f))).toEqual([]);
  }, 120_000);

  it('a launcher killed without passing the signal on (as pnpm does): the run notices its parent is gone and stops cleanly', async () => {
    const out = join(work, 'orphan');
    const summary = join(work, 'orphan.json');
    // The archive answers 503 while the launcher dies, so that pixels are still to come then.
    const proxy = await startOutageProxy(endpoint);
    const viaProxy = args(out).map((a) => (a === endpoint ? proxy.url : a));
    // A launcher process standing in for pnpm: it starts the CLI and is then killed alone.
    const launcher = spawn(
      process.execPath,
      [
        '-e',
        `const c = require('node:child_process').spawn(process.execPath, ${JSON.stringify(['--conditions=source', '--import', import.meta.resolve('tsx'), CLI, ...viaProxy, '--summary-json', summary])}, { stdio: 'inherit' }); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let text = '';
    await new Promise<void>((resolve) => {
      launcher.stdout.on('data', (d: Buffer) => {
        text += d.toString();
        if (/batch 1\/3/.test(text)) resolve();
      });
    });
    proxy.down({ kind: 'status', status: 503 });
    launcher.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1000));
    proxy.up();
    // The orphaned CLI finishes its pixel in flight, writes its summary and exits.
    const t0 = Date.now();
    while (!existsSync(summary) && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 100));
    await proxy.close();
    expect(existsSync(summary), text).toBe(true);
    const s = JSON.parse(await readFile(summary, 'utf8'));
    expect(s).toMatchObject({ stopped: 'interrupted', signal: 'SIGHUP' });
    expect(await readFile(join(out, 'desi-qso.log'), 'utf8')).toMatch(/interrupted \(the parent process \d+ is gone\)/);
    const again = await convert({ source: SOURCE, endpoint, out, precision: { mode: 'decimals' }, print: quiet });
    expect(again.pixels_skipped).toBe(s.pixels_ok);
    expect(await readRows(out)).toEqual(directRows);
  }, 60_000);

  it('two runs on one --out: the second is refused while the first lives; locks and files of a dead run are taken over', async () => {
    const out = join(work, 'locked');
    const [a, b] = await Promise.allSettled([
      convert({ source: SOURCE, endpoint, out, print: quiet }),
      new Promise((r) => setTimeout(r, 50)).then(() => convert({ source: SOURCE, endpoint, out, print: quiet })),
    ]);
    expect(a.status).toBe('fulfilled');
    expect(b.status).toBe('rejected');
    expect(String((b as PromiseRejectedResult).reason)).toMatch(/in use by another desi-qso run \(pid \d+/);
    // Shards of one array share the folder; an unsharded run would overlap them.
    const { writeFile } = await import('node:fs/promises');
    const { hostname } = await import('node:os');
    const lock = (tag: string, pid: number) =>
      writeFile(join(out, `.desi-qso-lock-${tag}`), JSON.stringify({ pid, host: hostname(), tag, started: 'then' }));
    await lock('0of2', process.pid);
    await expect(
      convert({ source: SOURCE, endpoint, out, shard: { index: 1, count: 2, source: 'flag' }, print: quiet }),
    ).resolves.toMatchObject({ pixels_failed: 0 });
    await expect(convert({ source: SOURCE, endpoint, out, print: quiet })).rejects.toThrow(/shard 0of2/);
    // A lock left by a process that is gone, and its temporary file, are removed; a live run's file is kept.
    await rm(join(out, '.desi-qso-lock-0of2'));
    const dead = 2 ** 22 + 12345; // beyond pid_max's default: no such process
    await lock('all', dead);
    await writeFile(join(out, `x.parquet.tmp-all-${dead}`), 'partial');
    await writeFile(join(out, `y.parquet.tmp-all-${process.pid}`), 'live');
    await expect(convert({ source: SOURCE, endpoint, out, print: quiet })).resolves.toMatchObject({ pixels_failed: 0 });
    const left = await readdir(out);
    expect(left).not.toContain(`x.parquet.tmp-all-${dead}`);
    expect(left).toContain(`y.parquet.tmp-all-${process.pid}`);
    expect(left.filter((f) => f.startsWith('.desi-qso-lock'))).toEqual([]);
  }, 120_000);

  it('the memory budget bounds the pixels in flight, whatever the worker count, and every pixel still converts', async () => {
    const tight = await convert({
      source: SOURCE,
      endpoint,
      out: join(work, 'budget-1'),
      precision: { mode: 'decimals' },
      memoryBudgetMiB: 1,
      workers: 16,
      print: quiet,
    });
    expect(tight).toMatchObject({ pixels_ok: 3, pixels_in_flight_max: 1 });
    expect(await readRows(join(work, 'budget-1'))).toEqual(directRows);
    const roomy = await convert({
      source: SOURCE,
      endpoint,
      out: join(work, 'budget-512'),
      precision: { mode: 'decimals' },
      workers: 16,
      print: quiet,
    });
    expect(roomy.pixels_in_flight_max).toBe(3);
    expect(roomy.memory_reserved_max_mib).toBeLessThanOrEqual(512);
  }, 60_000);

  it('a full disk stops the run at once with a summary, no partial files and an intact journal; freeing space resumes', async () => {
    const out = await mkdtemp(join(work, 'tmpfs-'));
    // A real full disk: a small tmpfs (root only, as on CI and the project's machines).
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=160k', 'tmpfs', out]);
    expect(mounted.status, `mount tmpfs: ${mounted.stderr}`).toBe(0);
    try {
      const lines: string[] = [];
      const s = await convert({ source: SOURCE, endpoint, out, precision: { mode: 'decimals' }, workers: 1, print: (l) => lines.push(l) });
      expect(s.stopped).toBe('disk-full');
      expect(s.pixels_ok).toBeLessThan(3);
      expect(lines.join('\n')).toMatch(/disk full \(ENOSPC\)/);
      expect((await listFiles(out)).filter((f) => /\.tmp-/.test(f))).toEqual([]);
      const journal = await readFile(join(out, '.desi-qso-journal.jsonl'), 'utf8');
      for (const line of journal.split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
      // Download mode on the same full disk: staging fails at once (no retries of a local failure),
      // the run stops, and no staged or partial file is left.
      const dl = await convert({
        source: SOURCE,
        endpoint,
        out,
        mode: 'download',
        precision: { mode: 'decimals' },
        workers: 1,
        print: quiet,
      });
      expect(dl.stopped).toBe('disk-full');
      expect((await listFiles(out)).filter((f) => /\.tmp-|\.part$|^\.work/.test(f))).toEqual([]);
      expect(spawnSync('mount', ['-o', 'remount,size=64m', out]).status).toBe(0);
      const again = await convert({ source: SOURCE, endpoint, out, precision: { mode: 'decimals' }, print: quiet });
      expect(again.stopped).toBeUndefined();
      expect(again.pixels_skipped).toBe(s.pixels_ok);
      expect(await readRows(out)).toEqual(directRows);
    } finally {
      spawnSync('umount', [out]);
    }
  }, 120_000);
});

describe('checked inputs', () => {
  it("a flipped byte in a coadd's camera data: default mode counts it unverified, --verify full and download mode fail the pixel (code checksum)", async () => {
    // A private bucket copy of one pixel with one byte of R_FLUX inverted (the file keeps its DATASUM).
    const { openFits } = await import('@desi/fits-reader');
    const bytes = new Uint8Array(await readFile(join(HEALPIX_ROOT, 'main/dark/100/10016/coadd-main-dark-10016.fits')));
    const info = (await (await openFits(bytes)).hdus()).find((h) => h.name === 'R_FLUX');
    bytes[(info?.dataOffset ?? 0) + 1000] ^= 0x40;
    const bucket = 'damaged';
    const tree = await mkdtemp(join(work, 'damaged-'));
    const dir = join(tree, 'main/dark/100/10016');
    await mkdir(dir, { recursive: true });
    for (const p of ['redrock', 'emline'])
      await copyFile(join(HEALPIX_ROOT, 'main/dark/100/10016', `${p}-main-dark-10016.fits`), join(dir, `${p}-main-dark-10016.fits`));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'coadd-main-dark-10016.fits'), bytes);
    const { CreateBucketCommand } = await import('@aws-sdk/client-s3');
    const { localWriter } = await import('../src/archive.js');
    const w = localWriter(endpoint);
    await w.send(new CreateBucketCommand({ Bucket: bucket }));
    w.destroy();
    await uploadTree(endpoint, bucket, tree, DR1.prefix);
    const source = `s3://${bucket}/${DR1.prefix}`;
    const read = await convert({ source, endpoint, out: join(work, 'flip-read'), print: quiet });
    expect(read).toMatchObject({ pixels_ok: 1, hdus_verified: 7, hdus_unverified: 9 });
    const full = await convert({ source, endpoint, out: join(work, 'flip-full'), verify: 'full', print: quiet });
    expect(full.pixels_failed).toBe(1);
    expect(full.failures[0]).toMatchObject({ code: 'checksum' });
    expect(full.failures[0].error).toMatch(/HDU R_FLUX: DATASUM does not match/);
    const dl = await convert({ source, endpoint, out: join(work, 'flip-download'), mode: 'download', print: quiet });
    expect(dl.pixels_failed).toBe(1);
    expect(dl.failures[0].error).toMatch(/coadd-main-dark-10016\.fits: HDU R_FLUX: DATASUM/);
    // The bytes read are the same with and without the checks of HDUs read whole.
    const checked = await convert({ source: SOURCE, endpoint, out: join(work, 'verify-read'), print: quiet });
    const unchecked = await convert({ source: SOURCE, endpoint, out: join(work, 'verify-off'), verify: 'off', print: quiet });
    expect(checked.hdus_verified).toBeGreaterThan(0);
    expect(unchecked.hdus_verified).toBe(0);
    expect(checked.bytes_read).toBe(unchecked.bytes_read);
  }, 60_000);
});

describe('faults of the archive', () => {
  /** Seconds the archive is away mid-run (OUTAGE_SECONDS=60 reproduces issue #11's minute-long outage). */
  const OUTAGE = Number(process.env.OUTAGE_SECONDS ?? 6);

  it(
    `an outage of ${OUTAGE} s mid-run (connections refused, then 408 and 503) ends with every pixel converted`,
    async () => {
      const proxy = await startOutageProxy(endpoint);
      try {
        const out = join(work, 'outage');
        const lines: string[] = [];
        let downed = false;
        const run = convert({
          source: SOURCE,
          endpoint: proxy.url,
          out,
          precision: { mode: 'decimals' },
          workers: 1,
          tilesPerBatch: 1,
          print: (l) => {
            lines.push(l);
            // After the first pixel: away (refusing), then answering 408, then 503, then back.
            if (!downed && /batch 1\/3/.test(l)) {
              downed = true;
              proxy.down({ kind: 'refuse' });
              setTimeout(() => proxy.down({ kind: 'status', status: 408 }), (OUTAGE * 1000) / 3);
              setTimeout(() => proxy.down({ kind: 'status', status: 503 }), (OUTAGE * 2000) / 3);
              setTimeout(() => proxy.up(), OUTAGE * 1000);
            }
          },
        });
        const t0 = performance.now();
        const s = await run;
        expect(downed).toBe(true);
        expect(proxy.refused()).toBeGreaterThan(3); // the run did meet the outage, and kept probing
        expect(s, lines.join('\n')).toMatchObject({ pixels_ok: 3, pixels_failed: 0 });
        expect(performance.now() - t0).toBeGreaterThan(OUTAGE * 1000 * 0.9);
        expect(await readRows(out)).toEqual(directRows);
      } finally {
        await proxy.close();
      }
    },
    60_000 + OUTAGE * 3000,
  );

  it('a server that accepts and never answers fails the run by its timeouts instead of hanging', async () => {
    const proxy = await startOutageProxy(endpoint);
    proxy.down({ kind: 'hang' });
    try {
      const t0 = performance.now();
      const r = convert({
        source: SOURCE,
        endpoint: proxy.url,
        out: join(work, 'hang'),
        timeouts: { connectMs: 500, firstByteMs: 500, idleMs: 500 },
        retry: { windowMs: 2_000, maxDelayMs: 200 },
        print: quiet,
      });
      await expect(r).rejects.toThrow(/still failing after \d+ attempts/);
      expect(performance.now() - t0).toBeLessThan(15_000);
    } finally {
      await proxy.close();
    }
  }, 30_000);

  it('a hanging range read fails after its retry window instead of hanging', async () => {
    // Every request hangs: the read fails by its first-byte timeout, retried for the window, then reported.
    const { S3RangeSource, createPublicClient: client } = await import('@desi/s3-fetch');
    const proxy = await startOutageProxy(endpoint);
    try {
      const c = client({ endpoint: proxy.url });
      const key = `${DR1.prefix}main/dark/100/10016/coadd-main-dark-10016.fits`;
      const src = await S3RangeSource.open(
        c,
        { bucket: BUCKET, key },
        {
          objectUrl: `${proxy.url}/${BUCKET}/${key}`,
          timeouts: { firstByteMs: 300, idleMs: 300 },
          retry: { windowMs: 1_500, maxDelayMs: 100 },
        },
      );
      proxy.down({ kind: 'hang' });
      const t0 = performance.now();
      await expect(src.read(0, 2880)).rejects.toThrow(/still failing/);
      expect(performance.now() - t0).toBeLessThan(5_000);
    } finally {
      await proxy.close();
    }
  }, 30_000);
});

describe('desi-qso CLI', () => {
  it('a missing, empty or misspelt --source is an error naming it (exit 2), not a run of 0 pixels', async () => {
    const empty = await mkdtemp(join(work, 'empty-src-'));
    const cases: Array<[string[], RegExp]> = [
      [['--source', join(work, 'no-such-folder')], /no-such-folder: no such folder/],
      [['--source', empty], /no HEALPix pixel folders below it/],
      [['--source', `s3://${BUCKET}/dr1/spectro/redux/irn/healpix/`, '--endpoint', endpoint], /no HEALPix pixel directories there/],
      [['--source', ''], /--source is empty/],
    ];
    for (const [args, message] of cases) {
      const errors: string[] = [];
      const err = console.error;
      console.error = (l: string) => errors.push(l);
      try {
        expect(await main(['convert', ...args, '--out', join(work, 'never')])).toBe(2);
      } finally {
        console.error = err;
      }
      expect(errors.join('\n')).toMatch(message);
    }
  });

  it('--manifest picks pixels from a local tree too; bad entries fail alone, the rest convert', async () => {
    const { writeFile } = await import('node:fs/promises');
    const manifest = join(work, 'local-manifest.txt');
    await writeFile(manifest, 'dr1/spectro/redux/iron/healpix/main/dark/100/10016/\n');
    const one = await convert({ source: HEALPIX_ROOT, out: join(work, 'manifest-local'), manifest, print: quiet });
    expect(one).toMatchObject({ pixels_total: 1, pixels_ok: 1, pixels_failed: 0 });

    // Against S3: traversal in every spelling, an absolute path, a non-pixel, an unknown bucket.
    const bad = [
      'dr1/spectro/redux/iron/healpix/main/dark/100/../../../../../../../etc/10016/',
      'dr1/spectro/redux/iron/healpix/main/dark/100/%2e%2e/%2e%2e/10016/',
      'dr1/spectro/redux/iron/healpix/main/dark/100/%252e%252e/10016/',
      's3://no-such-bucket/dr1/spectro/redux/iron/healpix/main/dark/100/10016/',
      'dr1/spectro/redux/iron/healpix/main/dark/',
    ];
    const good = ['dr1/spectro/redux/iron/healpix/sv3/bright/176/17683/', 'dr1/spectro/redux/iron/healpix/main/dark/100/10016/'];
    await writeFile(manifest, [...bad, ...good].join('\n'));
    const lines: string[] = [];
    const s = await convert({ source: SOURCE, endpoint, out: join(work, 'manifest-s3'), manifest, print: (l) => lines.push(l) });
    expect(s.pixels_ok).toBe(2);
    expect(s.pixels_failed).toBe(bad.length);
    expect(s.pixels_total).toBe(bad.length + good.length);
    for (const b of bad) expect(s.failures.map((f) => f.pixel)).toContain(b);
    const text = lines.join('\n');
    expect(text.match(/'\.\.' path segment/g)?.length).toBe(3);
    expect(text).toMatch(/no-such-bucket/);
    expect(text).toMatch(/names no HEALPix pixel directory/);
  }, 60_000);

  it('keys normalises paths and URLs to canonical s3:// keys', async () => {
    const manifest = join(work, 'manifest.txt');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      manifest,
      'https://data.desi.lbl.gov/public/dr1/spectro/redux/iron/healpix/main/dark/100/10016/\ndr1/spectro/redux/iron/healpix/sv3/bright/176/17683\n',
    );
    const lines: string[] = [];
    const log = console.log;
    console.log = (l: string) => lines.push(l);
    try {
      expect(await main(['keys', manifest])).toBe(0);
    } finally {
      console.log = log;
    }
    expect(lines).toEqual([
      's3://desidata/dr1/spectro/redux/iron/healpix/main/dark/100/10016/',
      's3://desidata/dr1/spectro/redux/iron/healpix/sv3/bright/176/17683',
    ]);
  });

  it('--help on every command prints the usage (exit 0); --version prints the version', async () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (l: string) => lines.push(l);
    try {
      for (const c of ['convert', 'finalize', 'analyze', 'bench', 'keys', 'demo']) {
        lines.length = 0;
        expect(await main([c, '--help']), c).toBe(0);
        expect(lines.join('\n'), c).toMatch(new RegExp(`usage: desi-qso <command>[\\s\\S]*\\n  ${c} `));
      }
      lines.length = 0;
      expect(await main(['--version'])).toBe(0);
      const { version } = JSON.parse(await readFile(join(import.meta.dirname, '..', 'package.json'), 'utf8'));
      expect(lines).toEqual([`desi-qso ${version}`]);
    } finally {
      console.log = log;
    }
  });

  it('pnpm desi-qso takes relative paths from the folder it is run in, not the repository root', async () => {
    const here = await mkdtemp(join(tmpdir(), 'desi-qso-cwd-'));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(here, 'pixels.txt'), 'dr1/spectro/redux/iron/healpix/sv3/bright/176/17683/\n');
    const root = join(import.meta.dirname, '..', '..', '..');
    const r = spawnSync('pnpm', ['--silent', '--dir', root, 'desi-qso', 'keys', 'pixels.txt'], { cwd: here, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('s3://desidata/dr1/spectro/redux/iron/healpix/sv3/bright/176/17683/');
    await rm(here, { recursive: true, force: true });
  }, 120_000);

  it('outputs of the documented commands are not linted (dr1-qso/ is git-ignored and Biome follows .gitignore)', async () => {
    const root = join(import.meta.dirname, '..', '..', '..');
    const dir = join(root, 'dr1-qso');
    const made = !existsSync(dir);
    const { writeFile } = await import('node:fs/promises');
    await mkdir(dir, { recursive: true });
    const probe = join(dir, `lint-probe-${process.pid}.js`);
    await writeFile(probe, 'var  x = 1;;\n'); // would fail both the formatter and the linter
    try {
      const r = spawnSync(join(root, 'node_modules', '.bin', 'biome'), ['check', '.'], { cwd: root, encoding: 'utf8' });
      expect(r.stdout + r.stderr).not.toMatch(/lint-probe/);
    } finally {
      await rm(probe, { force: true });
      if (made) await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('the tile-fusion benchmark on a clone without ../shared says it is skipped (exit 0) instead of failing', () => {
    const root = join(import.meta.dirname, '..', '..', '..');
    const r = spawnSync('pnpm', ['--silent', '--filter', '@desi/tile-fusion', 'bench'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, DESI_SHARED: join(tmpdir(), 'no-shared-here') },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/tile-fusion bench skipped: .*no-shared-here.* needs \.\.\/shared/);
  }, 60_000);

  it('bad flags are usage errors (exit 2) naming the flag', async () => {
    const errors: string[] = [];
    const err = console.error;
    console.error = (l: string) => errors.push(l);
    try {
      expect(await main(['convert', '--out', work, '--precision', 'keepbits:99'])).toBe(2);
      expect(await main(['convert', '--out', work, '--mode', 'stream'])).toBe(2);
      expect(await main(['convert', '--out', work, '--shard', '3/3'])).toBe(2);
      expect(await main(['nope'])).toBe(2);
    } finally {
      console.error = err;
    }
    expect(errors.join('\n')).toMatch(/--precision/);
    expect(errors.join('\n')).toMatch(/--mode/);
    expect(errors.join('\n')).toMatch(/invalid shard 3\/3/);
    expect(errors.join('\n')).toMatch(/unknown command nope/);
  });
});
