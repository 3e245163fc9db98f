/**
 * What produced each output, as the journal records it: the options that shape a file and the
 * identity of every input, and the checks that decide whether a journalled pixel can be skipped.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { VERSION as WRITER_VERSION } from '@desi/spectra-parquet/writer';
import { type Product, productsNeeded } from '@desi/tile-fusion';
import type { ConvertOptions } from './convert.js';
import type { Journal } from './journal.js';
import type { PixelTask } from './tasks.js';

/** The options that shape an output. */
type OutputShaping = Pick<ConvertOptions, 'camera' | 'precision' | 'selection' | 'layout' | 'rrdetails'>;

/** Remove a file this pipeline wrote if it is still exactly what the journal recorded. */
export async function removeIfUnchanged(path: string, sum: string | undefined): Promise<void> {
  if (!sum || !existsSync(path)) return;
  if ((await sha256(await readFile(path))) === sum) await rm(path, { force: true });
}

/** SHA-256 of a file's bytes, or of its pieces in order. */
export async function sha256(bytes: Uint8Array | Uint8Array[]): Promise<string> {
  const h = createHash('sha256');
  for (const b of Array.isArray(bytes) ? bytes : [bytes]) h.update(b);
  return h.digest('hex');
}

/** The input products a pixel's conversion reads under these options (the selection says which it needs). */
export function productsWanted(o: Pick<ConvertOptions, 'rrdetails' | 'selection'>): Product[] {
  return productsNeeded({ selection: o.selection, rrdetails: o.rrdetails });
}

/** JSON with sorted keys (and bigints as strings), so equal options always give equal text. */
function stableJson(v: unknown): string {
  if (typeof v === 'bigint') return JSON.stringify(v.toString());
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/**
 * Every option that shapes a pixel's output, defaults filled in, as the journal records it: a pixel
 * converted under other options is converted again rather than skipped.
 */
export function outputOptions(o: OutputShaping): string {
  const p = o.precision ?? { mode: 'lossless' };
  const precision = p.mode === 'decimals' ? { mode: 'decimals', flux: p.flux ?? 6, wavelength: p.wavelength ?? 2 } : p;
  return stableJson({
    camera: o.camera ?? 'concat',
    precision,
    selection: o.selection ?? {},
    layout: o.layout ?? 'flat',
    rrdetails: o.rrdetails ?? false,
    writer: WRITER_VERSION,
  });
}

/** What identifies each input's content: the ETag, or size and modification time for a local file. */
export function inputIdentity(task: PixelTask, o: Pick<ConvertOptions, 'rrdetails' | 'selection'>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of productsWanted(o)) {
    const f = task.files[p];
    if (!f) continue;
    out[p] = f.kind === 's3' ? (f.etag ? `etag:${f.etag}` : `size:${f.size}`) : `size:${f.size},mtime:${Math.round(f.mtimeMs ?? 0)}`;
  }
  return out;
}

/** Why a journalled pixel must be converted again (other options, changed inputs), or undefined. */
export function staleReason(task: PixelTask, o: OutputShaping, journal: Journal): string | undefined {
  const e = journal.get(task.id);
  if (!e) return undefined;
  if (e.options !== outputOptions(o)) return 'options';
  if (stableJson(e.inputs ?? {}) !== stableJson(inputIdentity(task, o))) return 'inputs';
  return undefined;
}

/** True when the journal's entry for this pixel still matches the file on disk, its options and its inputs. */
export async function verified(task: PixelTask, o: OutputShaping, journal: Journal, out: string, s3Out: boolean): Promise<boolean> {
  const e = journal.get(task.id);
  if (!e?.output || !e.sha256 || staleReason(task, o, journal)) return false;
  if (s3Out) return true;
  const path = join(out, e.output);
  if (!existsSync(path) || (await stat(path)).size !== e.bytes) return false;
  return (await sha256(await readFile(path))) === e.sha256;
}
