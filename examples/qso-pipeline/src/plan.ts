/**
 * What a run converts: the source's pixels (a listing, a local tree, or a manifest's entries) with
 * every way a source or an entry can be wrong reported in words that name it. A missing or empty
 * source is an error for the run; a bad manifest entry fails that entry only.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import type { RetryPolicy } from '@desi/s3-fetch';
import { type PixelId, parsePixelPath } from '@desi/tile-fusion';
import { discoverLocal, discoverS3, type PixelTask, type TaskFilter, taskId } from './tasks.js';

/** A manifest entry that names no convertible pixel, and why. */
export interface RejectedEntry {
  entry: string;
  error: string;
}

/** The source could not be read as an archive (exit 2, nothing converted). */
export class SourceError extends Error {
  override readonly name = 'SourceError';
}

export interface PlanInput {
  source: string;
  filter?: TaskFilter;
  manifest?: string;
  /** The S3 package and a client, for s3:// and https:// sources. */
  s3?: typeof import('@desi/s3-fetch');
  client?: S3Client;
  /** Retry policy of the listings. */
  retry?: RetryPolicy;
}

const isRemote = (source: string) => /^(s3|https?):\/\//.test(source);

/** One manifest entry as a pixel location, or the reason it is refused. */
function manifestEntry(
  s3: typeof import('@desi/s3-fetch') | undefined,
  line: string,
  defaultBucket: string,
): { bucket: string; key: string; pixel: PixelId } | { error: string } {
  let key = line;
  let bucket = defaultBucket;
  try {
    if (s3) ({ bucket, key } = s3.parseLocation(line, defaultBucket));
    else key = decodeURIComponent(line);
  } catch (e) {
    return { error: (e as Error).message };
  }
  // Refuse what could reach outside the archive once decoded (again: double encoding hides '..').
  let decoded = key;
  for (let i = 0; i < 3 && /%[0-9a-f]{2}/i.test(decoded); i++) {
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      break;
    }
  }
  if (decoded.includes('\0')) return { error: 'has a NUL byte' };
  if (decoded.split(/[\\/]/).includes('..')) return { error: "has a '..' path segment" };
  if (/^([a-zA-Z]:)?[\\/]/.test(decoded) && !s3) return { error: 'is an absolute path' };
  const pixel = parsePixelPath(decoded.replace(/\\/g, '/'));
  if (!pixel) return { error: 'names no HEALPix pixel directory (…/<survey>/<program>/<group>/<pixel>/)' };
  return { bucket, key: decoded, pixel };
}

/**
 * The pixels to convert and the manifest entries refused. Throws {@link SourceError} for a source that
 * is missing, not a folder, or holds no pixel (before any filter), and for an empty manifest.
 */
export async function planTasks(p: PlanInput): Promise<{ tasks: PixelTask[]; rejected: RejectedEntry[] }> {
  const remote = isRemote(p.source);
  if (!p.source.trim()) throw new SourceError('--source is empty');
  if (!remote) {
    if (!existsSync(p.source)) throw new SourceError(`--source ${p.source}: no such folder`);
    if (!statSync(p.source).isDirectory()) throw new SourceError(`--source ${p.source}: not a folder`);
  }
  const rejected: RejectedEntry[] = [];
  let tasks: PixelTask[];
  if (p.manifest) {
    const text = await readFile(p.manifest, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new SourceError(`--manifest ${p.manifest}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
    });
    // The manifest is read as s3-fetch reads it (a CSV column, JSON lines or lines), for every source kind.
    const { manifestEntries } = p.s3 ?? (await import('@desi/s3-fetch'));
    const entries = manifestEntries(text);
    if (!entries.length) throw new SourceError(`--manifest ${p.manifest} lists no pixel`);
    const root = remote && p.s3 ? p.s3.parseLocation(p.source) : undefined;
    // By location: two entries may name one pixel in different buckets, and each is answered.
    const wanted = new Map<string, { id: string; bucket: string; key: string; entry: string }>();
    for (const { location: line, bucket, unreadable } of entries) {
      if (unreadable) {
        rejected.push({
          entry: line,
          error: `manifest entry ${JSON.stringify(line)} names no location (s3_uri, url, key, path or location)`,
        });
        continue;
      }
      const e = manifestEntry(remote ? p.s3 : undefined, line, bucket ?? root?.bucket ?? '');
      if ('error' in e) rejected.push({ entry: line, error: `manifest entry ${JSON.stringify(line)} ${e.error}` });
      else wanted.set(`${e.bucket}/${e.key}`, { id: taskId(e.pixel), bucket: e.bucket, key: e.key, entry: line });
    }
    if (remote && p.s3 && p.client) {
      // Each entry is listed where it points; an entry that fails (an unknown bucket, nothing there) fails alone.
      const client = p.client;
      const found = await Promise.all(
        [...wanted.values()].map(async (w) => {
          try {
            const t = await discoverS3(client, w.bucket, w.key, p.filter, p.retry);
            if (!t.length)
              rejected.push({ entry: w.entry, error: `manifest entry ${JSON.stringify(w.entry)}: nothing at s3://${w.bucket}/${w.key}` });
            return t;
          } catch (e) {
            rejected.push({ entry: w.entry, error: `manifest entry ${JSON.stringify(w.entry)}: ${(e as Error).message}` });
            return [];
          }
        }),
      );
      tasks = found.flat();
    } else {
      // A local tree: the manifest picks pixels from it by survey/program/pixel.
      const all = await discoverLocal(p.source, p.filter);
      const byId = new Map(all.map((t) => [t.id, t]));
      tasks = [];
      for (const w of wanted.values()) {
        const t = byId.get(w.id);
        if (t) tasks.push(t);
        else rejected.push({ entry: w.entry, error: `manifest entry ${JSON.stringify(w.entry)}: pixel ${w.id} is not under ${p.source}` });
      }
    }
  } else if (remote && p.s3 && p.client) {
    const loc = p.s3.parseLocation(p.source);
    tasks = await discoverS3(p.client, loc.bucket, loc.key, p.filter, p.retry);
    if (!tasks.length) {
      const any = p.filter ? await discoverS3(p.client, loc.bucket, loc.key, {}, p.retry) : tasks;
      if (!any.length) throw new SourceError(`--source ${p.source}: no HEALPix pixel directories there (check the bucket and prefix)`);
    }
  } else {
    tasks = await discoverLocal(p.source, p.filter);
    if (!tasks.length) {
      const any = p.filter ? await discoverLocal(p.source) : tasks;
      if (!any.length)
        throw new SourceError(
          `--source ${p.source}: no HEALPix pixel folders below it (…/<survey>/<program>/<group>/<pixel>/ holding the files)`,
        );
    }
  }
  const seen = new Set<string>();
  tasks = tasks.filter((t) => !seen.has(t.id) && seen.add(t.id)).sort((a, b) => a.id.localeCompare(b.id));
  return { tasks, rejected };
}
