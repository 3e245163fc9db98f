import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { S3Object } from './list.js';

/** One row of a worker sweep. */
export interface SweepRow {
  path: 'sdk' | 'fetch';
  workers: number;
  /** MB/s (10⁶ bytes per second) per repeat. */
  rates: number[];
  avgMBps: number;
  maxMBps: number;
  failures: number;
}

/** Options of {@link workerSweep}. */
export interface SweepOptions {
  client: S3Client;
  bucket: string;
  objects: S3Object[];
  /** Worker counts to try (default 1, 2, 4, 8, 16). */
  workers?: number[];
  repeat?: number;
  /** URL of an object for plain HTTPS GETs (default: path-style below `endpoint`, or the AWS virtual host). */
  objectUrl?: (key: string) => string;
  onRow?: (row: SweepRow) => void;
}

async function drain(body: unknown): Promise<number> {
  let n = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array>) n += chunk.length;
  return n;
}

/** Download every object with `workers` concurrent transfers; returns MB/s and failures. */
async function pass(o: SweepOptions, path: 'sdk' | 'fetch', workers: number): Promise<{ mbps: number; failures: number }> {
  let next = 0;
  let bytes = 0;
  let failures = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < o.objects.length) {
      const obj = o.objects[next++];
      try {
        if (path === 'sdk') {
          const res = await o.client.send(new GetObjectCommand({ Bucket: o.bucket, Key: obj.key }));
          bytes += await drain(res.Body);
        } else {
          const res = await fetch((o.objectUrl as (k: string) => string)(obj.key));
          if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
          bytes += await drain(res.body);
        }
      } catch {
        failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return { mbps: bytes / 1e6 / ((performance.now() - started) / 1000), failures };
}

/**
 * The throughput table of the established pipeline: for each worker count, download the objects
 * `repeat` times through the S3 SDK and through plain HTTPS `fetch`, and report average and best
 * MB/s and failures (throttling shows up as failures and falling rates).
 */
export async function workerSweep(o: SweepOptions): Promise<SweepRow[]> {
  const rows: SweepRow[] = [];
  const paths: Array<'sdk' | 'fetch'> = o.objectUrl ? ['sdk', 'fetch'] : ['sdk'];
  for (const path of paths) {
    for (const workers of o.workers ?? [1, 2, 4, 8, 16]) {
      const rates: number[] = [];
      let failures = 0;
      for (let r = 0; r < (o.repeat ?? 2); r++) {
        const p = await pass(o, path, workers);
        rates.push(p.mbps);
        failures += p.failures;
      }
      const row: SweepRow = {
        path,
        workers,
        rates,
        avgMBps: rates.reduce((a, b) => a + b, 0) / rates.length,
        maxMBps: Math.max(...rates),
        failures,
      };
      rows.push(row);
      o.onRow?.(row);
    }
  }
  return rows;
}

/** The smallest worker count within 90 % of the best failure-free average rate. */
export function recommendWorkers(rows: SweepRow[], path: 'sdk' | 'fetch' = 'sdk'): number | undefined {
  const ok = rows.filter((r) => r.path === path && r.failures === 0);
  if (!ok.length) return undefined;
  const best = Math.max(...ok.map((r) => r.avgMBps));
  return ok.filter((r) => r.avgMBps >= 0.9 * best).sort((a, b) => a.workers - b.workers)[0].workers;
}

/** The sweep as the Markdown table the established pipeline printed. */
export function sweepTable(rows: SweepRow[]): string {
  const lines = ['| path | workers | avg MB/s | max MB/s | failures |', '| --- | ---: | ---: | ---: | ---: |'];
  for (const r of rows) lines.push(`| ${r.path} | ${r.workers} | ${r.avgMBps.toFixed(1)} | ${r.maxMBps.toFixed(1)} | ${r.failures} |`);
  for (const p of ['sdk', 'fetch'] as const) {
    if (!rows.some((r) => r.path === p)) continue;
    const w = recommendWorkers(rows, p);
    lines.push('', `recommendation (${p}): ${w === undefined ? 'no failure-free setting' : `${w} workers`}`);
  }
  return lines.join('\n');
}
