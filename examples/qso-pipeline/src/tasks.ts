import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { RetryPolicy } from '@desi/s3-fetch';
import { fileName, type PixelId, PRODUCTS, type Product, parsePixelPath } from '@desi/tile-fusion';

/** Where one product of a pixel lives. */
export type FileRef =
  | { kind: 'local'; path: string; size: number; mtimeMs?: number }
  | { kind: 's3'; bucket: string; key: string; size: number; etag?: string };

/** One pixel to convert. */
export interface PixelTask {
  /** `survey/program/healpix`: the stable identity used by journals and shards. */
  id: string;
  pixel: PixelId;
  files: Partial<Record<Product, FileRef>>;
}

/** Which pixels to take. */
export interface TaskFilter {
  surveys?: string[];
  programs?: string[];
  pixels?: number[];
}

export function taskId(p: PixelId): string {
  return `${p.survey}/${p.program}/${p.healpix}`;
}

function keep(p: PixelId, f: TaskFilter): boolean {
  return (
    (!f.surveys || f.surveys.includes(p.survey)) &&
    (!f.programs || f.programs.includes(p.program)) &&
    (!f.pixels || f.pixels.includes(p.healpix))
  );
}

/** Products of a pixel among a directory's file names (`coadd` also as `.fits.gz`). */
function productFiles<T>(p: PixelId, names: Map<string, T>): Partial<Record<Product, T>> {
  const out: Partial<Record<Product, T>> = {};
  for (const product of PRODUCTS) {
    const name = fileName(product, p);
    const hit = names.get(name) ?? (product === 'coadd' ? names.get(`${name}.gz`) : undefined);
    if (hit !== undefined) out[product] = hit;
  }
  return out;
}

/** Pixel directories below a local mirror of the HEALPix tree (any depth: the root, a survey, a program…). */
export async function discoverLocal(root: string, f: TaskFilter = {}): Promise<PixelTask[]> {
  const tasks: PixelTask[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    const pixel = parsePixelPath(dir.replace(/\\/g, '/'));
    if (pixel && entries.some((e) => e.isFile())) {
      if (!keep(pixel, f)) return;
      const names = new Map<string, FileRef>();
      for (const e of entries.filter((x) => x.isFile())) {
        const path = join(dir, e.name);
        const st = await stat(path);
        names.set(e.name, { kind: 'local', path, size: st.size, mtimeMs: st.mtimeMs });
      }
      tasks.push({ id: taskId(pixel), pixel, files: productFiles(pixel, names) });
      return;
    }
    if (depth > 12) return;
    for (const e of entries.filter((x) => x.isDirectory()).sort((a, b) => a.name.localeCompare(b.name)))
      await walk(join(dir, e.name), depth + 1);
  };
  await walk(root, 0);
  return tasks.sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * Pixel directories below an S3 prefix by listing: from the HEALPix root four delimiter levels down
 * (survey/program/group/pixel), fewer from deeper prefixes.
 */
export async function discoverS3(
  client: S3Client,
  bucket: string,
  prefix: string,
  f: TaskFilter = {},
  retry?: RetryPolicy,
): Promise<PixelTask[]> {
  const base = prefix.endsWith('/') || prefix === '' ? prefix : `${prefix}/`;
  const below = base.split('healpix/')[1] ?? '';
  const depth = below.split('/').filter(Boolean).length;
  const levels = Math.max(0, 4 - depth);
  const { listLeafDirectories } = await import('@desi/s3-fetch');
  const dirs = await listLeafDirectories(client, bucket, base, levels, { retry });
  const tasks: PixelTask[] = [];
  for (const d of dirs) {
    const pixel = parsePixelPath(d.prefix);
    if (!pixel || !keep(pixel, f)) continue;
    const names = new Map<string, FileRef>(
      d.objects.map((o) => [o.key.slice(d.prefix.length), { kind: 's3', bucket, key: o.key, size: o.size, etag: o.etag }]),
    );
    tasks.push({ id: taskId(pixel), pixel, files: productFiles(pixel, names) });
  }
  return tasks.sort((a, b) => a.id.localeCompare(b.id));
}
