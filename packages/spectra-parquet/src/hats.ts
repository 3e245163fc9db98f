import { open, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { parquetMetadata } from 'hyparquet';
import { VERSION } from './version.js';

/** The Parquet footer reader and writer, loaded by finalize only (writers of spectra never need them). */
async function footerTools() {
  const [{ parquetMetadata }, { ByteWriter }, { writeMetadata }] = await Promise.all([
    import('hyparquet'),
    import('hyparquet-writer'),
    import('hyparquet-writer/src/metadata.js'),
  ]);
  return { parquetMetadata, ByteWriter, writeMetadata };
}
type FooterTools = Awaited<ReturnType<typeof footerTools>>;

/** HEALPix order of DESI's pixels (nside 64). */
export const HATS_ORDER = 6;

/**
 * Where a pixel's file goes in a HATS catalog (directory per pixel, `hats_npix_suffix=/`):
 * `<root>/dataset/Norder=6/Dir={⌊N/10000⌋·10000}/Npix={N}/`.
 */
export function hatsPixelDir(root: string, healpix: number, order = HATS_ORDER): string {
  return join(root, 'dataset', `Norder=${order}`, `Dir=${Math.floor(healpix / 10000) * 10000}`, `Npix=${healpix}`);
}

/** Whole or not at all: a temporary file, flushed to the disk, renamed into place. */
async function atomicWrite(path: string, data: string | Uint8Array): Promise<void> {
  const { default: writeFileAtomic } = await import('write-file-atomic');
  await writeFileAtomic(path, typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}

/** A footer-only Parquet file: `PAR1`, the thrift FileMetaData, its length, `PAR1`. */
function footerOnly({ ByteWriter, writeMetadata }: FooterTools, meta: ReturnType<typeof parquetMetadata>): Uint8Array {
  const w = new ByteWriter();
  w.appendUint32(0x31524150); // "PAR1"
  const start = w.offset;
  // hyparquet-writer pins an older hyparquet whose types differ only in newer logical types.
  writeMetadata(w, meta as never);
  w.appendUint32(w.offset - start);
  w.appendUint32(0x31524150);
  return new Uint8Array(w.getBuffer());
}

/**
 * A Parquet file's footer, read from its end (the last 8 bytes give the footer's length): finalize
 * never reads the data pages.
 */
async function readFooter(
  path: string,
  parse: FooterTools['parquetMetadata'],
): Promise<{ meta: ReturnType<FooterTools['parquetMetadata']>; fileBytes: number }> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const tail = Buffer.alloc(8);
    await fh.read(tail, 0, 8, size - 8);
    if (size < 12 || tail.toString('latin1', 4) !== 'PAR1') throw new Error(`${path} is not a Parquet file (no PAR1 at its end)`);
    const footerLength = tail.readUInt32LE(0);
    if (footerLength + 12 > size) throw new Error(`${path}: footer of ${footerLength} bytes does not fit in ${size}`);
    // parquetMetadata reads the footer from the end of the buffer it is given.
    const buf = Buffer.alloc(footerLength + 8);
    await fh.read(buf, 0, buf.length, size - buf.length);
    return { meta: parse(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)), fileBytes: size };
  } finally {
    await fh.close();
  }
}

/** Partitions found under `<root>/dataset`. */
async function partitions(root: string): Promise<Array<{ order: number; npix: number; files: string[] }>> {
  const out: Array<{ order: number; npix: number; files: string[] }> = [];
  const base = join(root, 'dataset');
  for (const o of await readdir(base)) {
    const order = /^Norder=(\d+)$/.exec(o)?.[1];
    if (order === undefined) continue;
    for (const d of await readdir(join(base, o))) {
      if (!/^Dir=\d+$/.test(d)) continue;
      for (const p of await readdir(join(base, o, d))) {
        const npix = /^Npix=(\d+)$/.exec(p)?.[1];
        if (npix === undefined) continue;
        const files = (await readdir(join(base, o, d, p))).filter((f) => f.endsWith('.parquet')).sort();
        out.push({ order: Number(order), npix: Number(npix), files: files.map((f) => join(base, o, d, p, f)) });
      }
    }
  }
  return out.sort((a, b) => a.order - b.order || a.npix - b.npix);
}

/** Options of {@link finalizeHats}. */
export interface HatsOptions {
  /** `obs_collection` (default: the folder name). */
  name?: string;
}

/**
 * Write the catalog-level files of a HATS catalog once every pixel file is in place:
 * `partition_info.csv`, `dataset/_common_metadata` (the schema), `dataset/_metadata` (every row group
 * of every file, with its path) and `hats.properties`. LSDB opens the result; DuckDB reads it with a
 * glob and hive partitioning.
 */
export async function finalizeHats(root: string, o: HatsOptions = {}): Promise<{ partitions: number; rows: number; bytes: number }> {
  const tools = await footerTools();
  const { parquetMetadata } = tools;
  const parts = await partitions(root);
  let rows = 0;
  let bytes = 0;
  let common: ReturnType<typeof parquetMetadata> | undefined;
  const rowGroups: ReturnType<typeof parquetMetadata>['row_groups'] = [];
  // The largest partition in rows (HATS' hats_max_rows), from the footers alone.
  let maxRows = 0;
  for (const p of parts) {
    let partRows = 0;
    for (const f of p.files) {
      const { meta, fileBytes } = await readFooter(f, parquetMetadata);
      bytes += fileBytes;
      rows += Number(meta.num_rows);
      partRows += Number(meta.num_rows);
      const path = relative(join(root, 'dataset'), f);
      for (const rg of meta.row_groups) rowGroups.push({ ...rg, columns: rg.columns.map((c) => ({ ...c, file_path: path })) });
      common ??= meta;
    }
    maxRows = Math.max(maxRows, partRows);
  }
  await atomicWrite(join(root, 'partition_info.csv'), `Norder,Npix\n${parts.map((p) => `${p.order},${p.npix}`).join('\n')}\n`);
  if (common) {
    await atomicWrite(join(root, 'dataset', '_common_metadata'), footerOnly(tools, { ...common, num_rows: 0n, row_groups: [] }));
    await atomicWrite(join(root, 'dataset', '_metadata'), footerOnly(tools, { ...common, num_rows: BigInt(rows), row_groups: rowGroups }));
  }
  const name = o.name ?? root.replace(/\/+$/, '').split('/').pop();
  const props: Record<string, string | number> = {
    obs_collection: name ?? 'desi_spectra',
    dataproduct_type: 'object',
    hats_nrows: rows,
    hats_col_ra: 'ra',
    hats_col_dec: 'dec',
    hats_npix_suffix: '/',
    hats_max_rows: maxRows,
    hats_order: HATS_ORDER,
    moc_sky_fraction: (parts.length / (12 * 4 ** HATS_ORDER)).toFixed(6),
    hats_builder: `@desi/spectra-parquet ${VERSION}`,
    hats_creation_date: new Date().toISOString().replace(/\.\d+Z$/, 'UTC'),
    hats_estsize: Math.round(bytes / 1024),
    hats_version: 'v1.0',
  };
  await atomicWrite(
    join(root, 'hats.properties'),
    `${Object.entries(props)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n')}\n`,
  );
  return { partitions: parts.length, rows, bytes };
}
