/**
 * `pnpm bench:network` (root required): `download` vs `direct` mode over a shaped link.
 *
 * Builds a network namespace of its own, limits its loopback with
 * `tc qdisc add dev lo root tbf rate 320mbit burst 256kb latency 50ms` (≈ 40 MB/s, what the
 * established pipeline saw), and adds a delay proxy (25 ms each way; this kernel has no netem) in
 * front of a local S3 server holding generated realistic pixels (1,000–2,500 targets, RESOLUTION on).
 * Server and pipeline both run inside the namespace on 127.0.0.1: traffic never leaves loopback.
 * It converts the same pixels in both modes and prints bytes fetched, pixels/hour and the projected
 * time for all of DR1.
 */
import '../src/quiet.js';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DR1, fileName, pixelDir } from '@desi/tile-fusion';
import { type ConvertSummary, convert, DR1_PIXELS } from '../src/convert.js';
import { inNamespace, measureLink, PIXELS, pixelFiles, shape, startLink, TBF, unshape, uploadArchive } from './shaped-link.js';

const here = import.meta.dirname;
/**
 * Copies of the pixel set converted at once in the steady-state direct run (env PASSES), and the
 * workers they share (env WORKERS; 16, the CLI's direct-mode default). A DR1 run has no tail; with
 * 8 passes the last slow pixels weigh less than with fewer.
 */
const PASSES = Number(process.env.PASSES ?? 8);
const WORKERS = Number(process.env.WORKERS ?? 16);

function outer(): number {
  return inNamespace(import.meta.url, 'bench:network');
}

/** The machine's CPU time by kind, from /proc/stat (jiffies): user, nice, system, idle, iowait, irq, softirq, steal. */
async function machineCpu(): Promise<number[]> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0];
  return line.trim().split(/\s+/).slice(1, 9).map(Number);
}

/** Shares of the machine's CPU time between two /proc/stat samples. */
function cpuShares(a: number[], b: number[]): Record<'user' | 'system' | 'softirq' | 'idle', number> {
  const d = b.map((v, i) => v - a[i]);
  const total = d.reduce((x, y) => x + y, 0) || 1;
  return { user: (d[0] + d[1]) / total, system: (d[2] + d[5]) / total, softirq: d[6] / total, idle: (d[3] + d[4]) / total };
}

async function inner(): Promise<number> {
  const files = [];
  for (const p of PIXELS) files.push({ p, paths: await pixelFiles(p) });
  const link = await startLink();
  const work = await mkdtemp(join(tmpdir(), 'desi-qso-netbench-'));
  let shaped = false;
  try {
    const bytes = await uploadArchive(link.endpoint, files);
    console.log(
      `${PIXELS.length} pixels, ${PIXELS.reduce((a, p) => a + p.ntargets, 0)} targets, ${(bytes / 1e9).toFixed(2)} GB in a local S3 server`,
    );
    if (!process.env.BENCH_UNSHAPED) {
      shape();
      shaped = true;
    }
    const first = PIXELS[0];
    const link0 = await measureLink(`${link.endpoint}/${DR1.bucket}/${DR1.prefix}${pixelDir(first)}${fileName('coadd', first)}`);
    console.log(
      `link: tc ${TBF.join(' ')} + 25 ms each way → ${link0.mbps.toFixed(1)} MB/s, ${link0.rttMs.toFixed(0)} ms per small request\n`,
    );

    const source = `s3://${DR1.bucket}/${DR1.prefix}`;
    const run = async (mode: 'download' | 'direct', out: string = mode): Promise<ConvertSummary> => {
      console.log(`${mode} mode:`);
      return convert({ source, endpoint: link.endpoint, out: join(work, out), mode, print: (l) => console.log(`  ${l}`) });
    };
    // BENCH_DIRECT_ONLY skips the slow download run (for profiling the direct path; the ratio is then meaningless).
    const download = process.env.BENCH_DIRECT_ONLY
      ? ({ ...(await run('direct', 'direct-0')), mode: 'download' } as ConvertSummary)
      : await run('download');
    const direct = await run('direct');
    // Steady state: a DR1 run keeps many pixels in flight; here the same pixels, PASSES times at once
    // (one process, PASSES × 6 pixels, WORKERS workers in all).
    console.log(`direct mode, steady state (${PASSES} passes over the pixels at once, ${WORKERS} workers in all):`);
    const t = performance.now();
    const serverCpu0 = await link.cpuMs();
    const cpu0 = process.cpuUsage();
    const machine0 = await machineCpu();
    // The link's payload every 250 ms while the run goes: where it runs below the link rate, and for how long.
    const timeline: Array<[number, number]> = [[0, await link.bytes()]];
    let running = true;
    const sampler = (async () => {
      while (running) {
        await new Promise((r) => setTimeout(r, 250));
        timeline.push([(performance.now() - t) / 1000, await link.bytes()]);
      }
    })();
    const passes = await Promise.all(
      Array.from({ length: PASSES }, (_, i) =>
        convert({
          source,
          endpoint: link.endpoint,
          out: join(work, `steady-${i}`),
          workers: Math.max(1, Math.round(WORKERS / PASSES)),
          print: () => {},
        }),
      ),
    );
    const steadySecs = (performance.now() - t) / 1000;
    running = false;
    await sampler;
    const cpu = process.cpuUsage(cpu0);
    const machine = cpuShares(machine0, await machineCpu());
    const serverCpu = (await link.cpuMs()) - serverCpu0;
    const steadyPixels = passes.reduce((a, s) => a + s.pixels_ok, 0);
    const steady: ConvertSummary = {
      ...direct,
      pixels_ok: steadyPixels,
      pixels_failed: passes.reduce((a, s) => a + s.pixels_failed, 0),
      qsos: passes.reduce((a, s) => a + s.qsos, 0),
      bytes_read: passes.reduce((a, s) => a + s.bytes_read, 0),
      seconds: steadySecs,
      pixels_per_hour: steadyPixels / (steadySecs / 3600),
      projected_dr1_hours: DR1_PIXELS / (steadyPixels / (steadySecs / 3600)),
    };
    console.log(`  ${steadyPixels} pixels in ${steadySecs.toFixed(1)} s, ${(steady.bytes_read / 1e6 / steadySecs).toFixed(1)} MB/s`);
    const cpuPerPixel = { pipeline: (cpu.user + cpu.system) / 1e6 / steadyPixels, server: serverCpu / 1000 / steadyPixels };
    console.log(
      `  CPU per pixel: pipeline ${cpuPerPixel.pipeline.toFixed(3)} s (all its threads), S3 server + delay proxy ${cpuPerPixel.server.toFixed(3)} s; ` +
        `${(((cpuPerPixel.pipeline + cpuPerPixel.server) * steadyPixels) / steadySecs).toFixed(2)} of ${availableParallelism()} cores busy`,
    );
    const pct = (x: number) => `${(100 * x).toFixed(0)} %`;
    // The link floor: the run's bytes at the measured link rate. The tail: from the last moment the link
    // ran at half its rate or more to the end (pixels finishing alone, the link mostly idle).
    const payload = timeline[timeline.length - 1][1] - timeline[0][1];
    const floorSecs = payload / 1e6 / link0.mbps;
    const rates = timeline.slice(1).map(([s1, b1], i) => ({ at: s1, mbps: (b1 - timeline[i][1]) / 1e6 / (s1 - timeline[i][0]) }));
    const lastBusy = [...rates].reverse().find((r) => r.mbps >= link0.mbps / 2)?.at ?? steadySecs;
    const body = rates.filter((r) => r.at > 1 && r.at <= lastBusy);
    const bodyRate = body.reduce((a, r) => a + r.mbps, 0) / Math.max(1, body.length);
    console.log(
      `  link: ${(payload / 1e6).toFixed(1)} MB of payload, floor ${floorSecs.toFixed(1)} s at ${link0.mbps.toFixed(1)} MB/s → run ${(steadySecs / floorSecs).toFixed(2)}× the floor; ` +
        `${bodyRate.toFixed(1)} MB/s (${pct(bodyRate / link0.mbps)} of the link) until ${lastBusy.toFixed(1)} s, then a ${(steadySecs - lastBusy).toFixed(1)} s tail`,
    );
    console.log(`  link MB/s per 250 ms: ${rates.map((r) => r.mbps.toFixed(0)).join(' ')}`);
    console.log(
      `  machine CPU: user ${pct(machine.user)}, kernel ${pct(machine.system)}, softirq (network) ${pct(machine.softirq)}, idle ${pct(machine.idle)}`,
    );
    const rows = [download, direct, steady].map((s, i) => ({
      mode: i === 2 ? 'direct, steady' : s.mode,
      pixels: s.pixels_ok,
      failed: s.pixels_failed,
      qsos: s.qsos,
      'MB fetched': Number((s.bytes_read / 1e6).toFixed(1)),
      seconds: Number(s.seconds.toFixed(1)),
      'pixels/hour': Math.round(s.pixels_per_hour),
      'DR1 hours (1 process)': Number(s.projected_dr1_hours.toFixed(2)),
    }));
    console.log();
    console.table(rows);
    const speedup = steady.pixels_per_hour / download.pixels_per_hour;
    const fraction = direct.bytes_read / download.bytes_read;
    console.log(
      `direct / download: ${speedup.toFixed(1)}× the pixels/hour (target ≥ 20×: ${speedup >= 20 ? 'met' : 'NOT met'}), ${(100 * fraction).toFixed(2)} % of the bytes`,
    );
    console.log(
      `DR1 (${DR1_PIXELS} pixels) in direct mode: ${steady.projected_dr1_hours.toFixed(2)} h on this machine (target ≤ 1 h: ${steady.projected_dr1_hours <= 1 ? 'met' : 'NOT met'})`,
    );
    if (direct.qsos !== download.qsos) console.log(`WARNING: the modes found different QSO counts (${direct.qsos} vs ${download.qsos})`);
    await mkdir(join(here, '..', '.bench'), { recursive: true });
    await writeFile(
      join(here, '..', '.bench', 'network-results.json'),
      `${JSON.stringify({ link: link0, download, direct, steady, speedup, cpuPerPixel, machine, floorSecs, timeline }, null, 2)}\n`,
    );
    return download.pixels_failed || direct.pixels_failed || steady.pixels_failed ? 1 : 0;
  } finally {
    if (shaped) unshape();
    await link.stop();
    await rm(work, { recursive: true, force: true });
  }
}

const code = process.argv.includes('--inner') ? await inner() : outer();
process.exit(code);
