/**
 * Where a pixel's fusion reads its files from: ranged reads straight from the archive (direct mode),
 * whole files staged on disk and checked (download mode), or local paths.
 */
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DownloadItem } from '@desi/s3-fetch';
import { type ChecksumTally, newTally, type PixelSources, type Product, verifyHdus } from '@desi/tile-fusion';
import type { ConvertOptions } from './convert.js';
import type { FileRef, PixelTask } from './tasks.js';

type S3Package = typeof import('@desi/s3-fetch');
type InputOptions = Pick<ConvertOptions, 'endpoint' | 'rangeTransport' | 'retry' | 'timeouts'>;

/**
 * Range-read tuning for direct mode. Merging two ranges saves a request but fetches the gap; with
 * plain HTTP requests (≈ 0.3 ms of CPU for client and server) a request costs about as much as 10 KB
 * of a 40 MB/s link, so only gaps up to 16 KiB are fetched, and header walks read 16 KiB at a time.
 * A pixel is ~1,000 such requests, so each file keeps 32 in flight: at a WAN round trip of ~100 ms,
 * fewer leave both the link and the CPU idle.
 */
const RANGE_TUNING = { maxGap: 16 << 10, minRead: 16 << 10, concurrency: 32 };

/** Direct mode: a range source per remote file (local files by path). */
export async function rangeSources(
  task: PixelTask,
  wanted: readonly Product[],
  o: InputOptions,
  s3: S3Package | undefined,
  client: S3Client | undefined,
): Promise<PixelSources> {
  const sources: PixelSources = {};
  for (const p of wanted) {
    const f: FileRef | undefined = task.files[p];
    if (!f) continue;
    if (f.kind === 'local' || !s3 || !client) {
      sources[p] = (f as { path: string }).path;
      continue;
    }
    sources[p] = await s3.S3RangeSource.open(
      client,
      { bucket: f.bucket, key: f.key },
      {
        ...RANGE_TUNING,
        size: f.size,
        etag: f.etag,
        retry: o.retry,
        timeouts: o.timeouts,
        objectUrl: (o.rangeTransport ?? 'fetch') === 'fetch' ? s3.publicObjectUrl(f, { endpoint: o.endpoint }) : undefined,
      },
    );
  }
  return sources;
}

/**
 * Download mode: the remote files staged whole into `workDir` (resumable, size- and MD5-checked),
 * then every HDU of each checked against its checksums: the bytes are on disk, so all of them are.
 * A failed download keeps its error code (a full disk must stop the run, not look like the network).
 */
export async function stageDownloads(
  task: PixelTask,
  wanted: readonly Product[],
  o: Pick<ConvertOptions, 'retry' | 'timeouts'>,
  s3: S3Package,
  client: S3Client,
  workDir: string,
): Promise<{ sources: PixelSources; downloaded: number; checksums: ChecksumTally[] }> {
  const sources: PixelSources = {};
  const items: DownloadItem[] = [];
  for (const p of wanted) {
    const f = task.files[p];
    if (f?.kind === 's3')
      items.push({ bucket: f.bucket, key: f.key, size: f.size, etag: f.etag, path: join(workDir, f.key.split('/').pop() as string) });
    else if (f?.kind === 'local') sources[p] = f.path;
  }
  const d = await s3.downloadAll(client, items, {
    outDir: workDir,
    journal: join(workDir, '.journal.jsonl'),
    retryWindowMs: o.retry?.windowMs,
    stallTimeoutMs: o.timeouts?.idleMs,
  });
  if (d.failed) {
    const failed = d.results.filter((r) => r.status === 'failed');
    throw Object.assign(new Error(`download failed: ${failed.map((r) => `${r.key}: ${r.error}`).join('; ')}`), {
      code: failed.find((r) => r.code)?.code,
    });
  }
  for (const r of d.results) {
    const p = wanted.find((w) => task.files[w]?.kind === 's3' && (task.files[w] as { key: string }).key === r.key);
    if (p) sources[p] = r.path;
  }
  const checksums: ChecksumTally[] = [];
  for (const r of d.results) checksums.push(await verifyWholeFile(r.path, task.pixel));
  return { sources, downloaded: d.bytes, checksums };
}

/** Check every HDU of a local FITS file (its padding read too: the bytes are on disk). */
async function verifyWholeFile(path: string, pixel: PixelTask['pixel']): Promise<ChecksumTally> {
  const { openFits } = await import('@desi/fits-reader');
  const fits = await openFits(path);
  try {
    const tally = newTally();
    const hdus = (await fits.hdus()).map((h) => h.name ?? h.index);
    await verifyHdus({ fits, name: path }, hdus, tally, { pixel }, { standardPadding: false });
    return tally;
  } finally {
    await fits.close();
  }
}
