/**
 * The target index as a Parquet file (zstd): one row per DESI target, sorted by TARGETID and cut into
 * row groups whose TARGETID min/max statistics let a lookup read only the groups that can hold the ids
 * asked (one group for one id). DuckDB and hyparquet read it as any Parquet file.
 */

import type { AsyncBuffer, FileMetaData } from 'hyparquet';
import { loadZstd } from './parquet/zstd.js';

type Camera = 'B' | 'R' | 'Z';

/** Where a camera's arrays start in its coadd (the shape of tile-fusion's CameraLayout). */
export interface IndexCameraLayout {
  npix: number;
  waveOffset: number;
  fluxOffset: number;
  ivarOffset: number;
  maskOffset: number;
  maskBzero: number;
}

/** One target (the shape of tile-fusion's TargetIndexRow, declared here so this package needs no other). */
export interface TargetIndexRecord {
  targetId: bigint;
  survey: string;
  program: string;
  healpix: number;
  row: number;
  nspec: number;
  ra: number;
  dec: number;
  z: number;
  zerr: number;
  zwarn: bigint;
  spectype: string;
  subtype: string;
  deltachi2: number;
  chi2: number;
  fiberstatus: number;
  coadd: string;
  coaddEtag?: string;
  coaddSize: number;
  emline?: string;
  emlineEtag?: string;
  emlineSize?: number;
  cameras: Record<Camera, IndexCameraLayout>;
}

const CAMERAS: Camera[] = ['B', 'R', 'Z'];
const LAYOUT_FIELDS = ['npix', 'waveOffset', 'fluxOffset', 'ivarOffset', 'maskOffset', 'maskBzero'] as const;
const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The flat columns: scalars first, then `b_npix`, `b_wave_offset`, … for each camera. */
const SCALARS: Array<[keyof TargetIndexRecord, 'INT64' | 'INT32' | 'DOUBLE' | 'STRING', boolean?]> = [
  ['targetId', 'INT64'],
  ['survey', 'STRING'],
  ['program', 'STRING'],
  ['healpix', 'INT32'],
  ['row', 'INT32'],
  ['nspec', 'INT32'],
  ['ra', 'DOUBLE'],
  ['dec', 'DOUBLE'],
  ['z', 'DOUBLE'],
  ['zerr', 'DOUBLE'],
  ['zwarn', 'INT64'],
  ['spectype', 'STRING'],
  ['subtype', 'STRING'],
  ['deltachi2', 'DOUBLE'],
  ['chi2', 'DOUBLE'],
  ['fiberstatus', 'INT32'],
  ['coadd', 'STRING'],
  ['coaddEtag', 'STRING', true],
  ['coaddSize', 'INT64'],
  ['emline', 'STRING', true],
  ['emlineEtag', 'STRING', true],
  ['emlineSize', 'INT64', true],
];

/** Decoded row groups kept between lookups (each about 6 MB of rows at 4,096 rows a group). */
const RECENT_GROUPS = 4;

/** Options of {@link encodeTargetIndex}. */
export interface TargetIndexOptions {
  /** Rows per row group (default 4,096: a lookup of one id decodes about 1 MB). */
  rowGroupSize?: number;
}

/**
 * The index file's bytes: rows sorted by TARGETID, zstd-compressed, with min/max statistics.
 *
 * @example
 * await writeFile('targets.parquet', await encodeTargetIndex(rows));
 */
export async function encodeTargetIndex(records: readonly TargetIndexRecord[], o: TargetIndexOptions = {}): Promise<Uint8Array> {
  const [{ parquetWriteBuffer }, zstd] = await Promise.all([import('hyparquet-writer'), loadZstd()]);
  const rows = [...records].sort((a, b) => (a.targetId < b.targetId ? -1 : a.targetId > b.targetId ? 1 : 0));
  const columnData = [
    ...SCALARS.map(([key, type, nullable]) => ({
      name: snake(key),
      type,
      nullable: !!nullable,
      data:
        type === 'INT64'
          ? rows.map((r) => (r[key] == null ? null : BigInt(r[key] as bigint | number)))
          : rows.map((r) => (r[key] as unknown) ?? null),
    })),
    ...CAMERAS.flatMap((c) =>
      LAYOUT_FIELDS.map((f) => ({
        name: `${c.toLowerCase()}_${snake(f)}`,
        type: 'INT64' as const,
        nullable: false,
        data: rows.map((r) => BigInt(r.cameras[c][f])),
      })),
    ),
  ];
  return new Uint8Array(
    parquetWriteBuffer({
      columnData: columnData as never,
      codec: 'ZSTD',
      compressors: { ZSTD: (b: Uint8Array) => zstd.compress(b, 3) },
      rowGroupSize: o.rowGroupSize ?? 4096,
      statistics: true,
    }),
  );
}

/** Writes a target index atomically (a temporary file, flushed, renamed). */
export async function writeTargetIndex(records: readonly TargetIndexRecord[], path: string, o: TargetIndexOptions = {}): Promise<void> {
  const bytes = await encodeTargetIndex(records, o);
  const { default: writeFileAtomic } = await import('write-file-atomic');
  await writeFileAtomic(path, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

/** Random access to the index's bytes: a file, an HTTP or S3 range source, or bytes in memory. */
export interface IndexBytes {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** An opened index: TARGETID lookups that read only the row groups that can hold them. */
export interface TargetIndex {
  /** Rows in the index. */
  readonly rows: number;
  lookup(ids: readonly bigint[]): Promise<Map<bigint, TargetIndexRecord>>;
  /** Row groups decoded so far (the last few are kept, so a group asked again soon is not decoded again). */
  readonly groupsRead: number;
}

/**
 * Open an index file for lookups. Only the footer is read here; each lookup decodes the row groups
 * whose TARGETID range holds an asked id, and keeps them for later lookups.
 *
 * @example
 * const index = await openTargetIndex(await FileSource.open('targets.parquet'));
 * const rows = await index.lookup([39633345008617988n]);
 */
export async function openTargetIndex(bytes: IndexBytes): Promise<TargetIndex> {
  // hyparquet is an ES module: imported when used, so the CommonJS build loads without require(esm).
  const [{ parquetMetadataAsync, parquetReadObjects }, zstd] = await Promise.all([import('hyparquet'), loadZstd()]);
  const file: AsyncBuffer = {
    byteLength: bytes.size,
    slice: async (start, end) => {
      const b = await bytes.read(start, (end ?? bytes.size) - start);
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    },
  };
  const metadata: FileMetaData = await parquetMetadataAsync(file);
  const groups: Array<{ start: number; end: number; min: bigint; max: bigint }> = [];
  let start = 0;
  for (const g of metadata.row_groups) {
    const stats = g.columns[0].meta_data?.statistics;
    const n = Number(g.num_rows);
    groups.push({ start, end: start + n, min: BigInt(stats?.min_value as bigint), max: BigInt(stats?.max_value as bigint) });
    start += n;
  }
  // The last few decoded groups stay (a lookup decodes one group at a time, whatever the number of ids):
  // memory stays bounded for any lookup over an index of any size.
  const recent = new Map<number, Promise<Map<bigint, Record<string, unknown>>>>();
  let groupsRead = 0;
  const compressors = { ZSTD: (input: Uint8Array) => zstd.decompress(input) };
  const readGroup = (k: number) => {
    let p = recent.get(k);
    if (p) recent.delete(k);
    else {
      const g = groups[k];
      groupsRead++;
      p = parquetReadObjects({ file, metadata, rowStart: g.start, rowEnd: g.end, compressors, utf8: true }).then(
        (objs) => new Map(objs.map((o) => [BigInt(o.target_id as bigint), o])),
      );
    }
    recent.set(k, p);
    if (recent.size > RECENT_GROUPS) recent.delete(recent.keys().next().value as number);
    return p;
  };
  return {
    rows: start,
    get groupsRead() {
      return groupsRead;
    },
    async lookup(ids) {
      const out = new Map<bigint, TargetIndexRecord>();
      const wanted = new Set<number>();
      for (const id of ids) {
        // Groups are sorted by TARGETID: a binary search finds the one that can hold it.
        let lo = 0;
        let hi = groups.length - 1;
        while (lo <= hi) {
          const mid = (lo + hi) >> 1;
          if (groups[mid].max < id) lo = mid + 1;
          else hi = mid - 1;
        }
        if (lo < groups.length && groups[lo].min <= id) wanted.add(lo);
      }
      for (const k of wanted) {
        const rows = await readGroup(k);
        for (const id of ids) {
          const r = out.has(id) ? undefined : rows.get(id);
          if (r) out.set(id, recordOf(r));
        }
      }
      return out;
    },
  };
}

function recordOf(o: Record<string, unknown>): TargetIndexRecord {
  const num = (k: string) => Number(o[k]);
  const cameras = Object.fromEntries(
    CAMERAS.map((c) => [c, Object.fromEntries(LAYOUT_FIELDS.map((f) => [f, num(`${c.toLowerCase()}_${snake(f)}`)]))]),
  ) as unknown as Record<Camera, IndexCameraLayout>;
  return {
    targetId: BigInt(o.target_id as bigint),
    survey: String(o.survey),
    program: String(o.program),
    healpix: num('healpix'),
    row: num('row'),
    nspec: num('nspec'),
    ra: num('ra'),
    dec: num('dec'),
    z: num('z'),
    zerr: num('zerr'),
    zwarn: BigInt(o.zwarn as bigint),
    spectype: String(o.spectype),
    subtype: String(o.subtype),
    deltachi2: num('deltachi2'),
    chi2: num('chi2'),
    fiberstatus: num('fiberstatus'),
    coadd: String(o.coadd),
    coaddEtag: o.coadd_etag == null ? undefined : String(o.coadd_etag),
    coaddSize: num('coadd_size'),
    emline: o.emline == null ? undefined : String(o.emline),
    emlineEtag: o.emline_etag == null ? undefined : String(o.emline_etag),
    emlineSize: o.emline_size == null ? undefined : num('emline_size'),
    cameras,
  };
}
