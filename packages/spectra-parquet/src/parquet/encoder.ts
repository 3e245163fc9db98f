/**
 * A Parquet encoder for flat schemas of top-level primitives and fixed-length list columns, row group
 * by row group: each call turns one row group's columns into bytes (data pages V1, ZSTD) and keeps
 * only the small per-chunk metadata for the footer, so memory is one page buffer plus what the
 * caller holds. Synchronous; where the bytes go is the caller's business (see `writer.ts`).
 */
import { Codec, type ColumnSpec, type ColumnValues, ConvertedType, Encoding, PageType, PhysicalType, Repetition, WIDTH } from './format.js';
import { listDefinition, listRepetition, optionalDefinition } from './levels.js';
import { columnStatistics } from './statistics.js';
import { ByteSink, i64, serializeStruct, type ThriftStruct } from './thrift.js';
import { plainStrings, writeByteStreamSplit, writePlain } from './values.js';
import { requireZstd, type Zstd } from './zstd.js';

/** Options of {@link ParquetEncoder}. */
export interface EncoderOptions {
  /** ZSTD level (default 1: on spectra as small as 3 and faster; see docs/decisions.md). */
  compressionLevel?: number;
  /** Target uncompressed bytes per data page of a list column (default 1 MiB); pages end at row boundaries. */
  pageSize?: number;
  /** `created_by` in the footer. */
  createdBy?: string;
  /** The compressor (default: the native binding, or the WebAssembly one once loaded). */
  zstd?: Zstd;
}

interface ChunkMeta {
  offset: number;
  compressed: number;
  uncompressed: number;
  numValues: number;
  statistics?: ThriftStruct;
}

const MAGIC = new TextEncoder().encode('PAR1');

/** Encodes a Parquet file in pieces: {@link start}, then {@link rowGroup} per row group, then {@link finish}. */
export class ParquetEncoder {
  private offset = 0;
  private readonly groups: Array<{ rows: number; chunks: ChunkMeta[] }> = [];
  private scratch = new Uint8Array(1 << 16);
  private readonly level: number;
  private readonly pageSize: number;
  private readonly zstd: Zstd;

  constructor(
    readonly columns: readonly ColumnSpec[],
    private readonly o: EncoderOptions = {},
  ) {
    this.level = o.compressionLevel ?? 1;
    this.pageSize = o.pageSize ?? 1 << 20;
    this.zstd = o.zstd ?? requireZstd();
    for (const c of columns)
      if (c.encoding === 'BYTE_STREAM_SPLIT' && c.type !== 'FLOAT' && c.type !== 'DOUBLE')
        throw new TypeError(`column ${c.name}: BYTE_STREAM_SPLIT is for FLOAT and DOUBLE only (DuckDB rejects it on integers)`);
  }

  /** Rows written so far. */
  get rows(): number {
    return this.groups.reduce((a, g) => a + g.rows, 0);
  }

  /** The leading magic bytes. */
  start(): Uint8Array {
    this.offset = MAGIC.length;
    return MAGIC;
  }

  /** One row group's bytes (page headers and compressed pages, in order). `data` follows `columns`. */
  rowGroup(data: readonly ColumnValues[], rows: number): Uint8Array[] {
    if (data.length !== this.columns.length) throw new RangeError(`expected ${this.columns.length} columns, got ${data.length}`);
    const out: Uint8Array[] = [];
    const chunks = this.columns.map((spec, i) => this.columnChunk(spec, data[i], rows, out));
    this.groups.push({ rows, chunks });
    return out;
  }

  private room(n: number): Uint8Array {
    if (this.scratch.length < n) this.scratch = new Uint8Array(Math.max(n, this.scratch.length * 2));
    return this.scratch;
  }

  /** Compress one page body and append its header and bytes to `out`. */
  private page(body: Uint8Array, numValues: number, valueEncoding: number, out: Uint8Array[], meta: ChunkMeta): void {
    const compressed = this.zstd.compress(body, this.level);
    const header = serializeStruct({
      1: PageType.DATA_PAGE,
      2: body.length,
      3: compressed.length,
      5: { 1: numValues, 2: valueEncoding, 3: Encoding.RLE, 4: Encoding.RLE },
    });
    out.push(header, compressed);
    meta.compressed += header.length + compressed.length;
    meta.uncompressed += header.length + body.length;
    meta.numValues += numValues;
    this.offset += header.length + compressed.length;
  }

  private columnChunk(spec: ColumnSpec, data: ColumnValues, rows: number, out: Uint8Array[]): ChunkMeta {
    const meta: ChunkMeta = { offset: this.offset, compressed: 0, uncompressed: 0, numValues: 0 };
    const enc = Encoding[spec.encoding ?? 'PLAIN'];
    if (spec.shape === 'list') {
      if (!('per' in data)) throw new TypeError(`column ${spec.name}: a list column takes { values, per }`);
      const { values, per } = data;
      const same = data.sameEveryRow === true;
      if (values.length !== (same ? per : rows * per))
        throw new RangeError(`column ${spec.name}: ${values.length} values for ${rows} rows of ${per}${same ? ' (one row repeated)' : ''}`);
      const w = values.BYTES_PER_ELEMENT;
      const step = per === 0 ? Math.max(rows, 1) : Math.max(1, Math.floor(this.pageSize / (per * w)));
      for (let r = 0; r < rows; r += step) {
        const n = Math.min(step, rows - r);
        const rep = listRepetition(n, per);
        const def = listDefinition(n, per);
        const size = rep.length + def.length + n * per * w;
        const buf = this.room(size);
        buf.set(rep, 0);
        buf.set(def, rep.length);
        const write = enc === Encoding.BYTE_STREAM_SPLIT ? writeByteStreamSplit : writePlain;
        if (same) repeatRow(values, n, enc === Encoding.BYTE_STREAM_SPLIT, buf, rep.length + def.length);
        else write(values, r * per, n * per, buf, rep.length + def.length);
        this.page(buf.subarray(0, size), per === 0 ? n : n * per, enc, out, meta);
      }
      return meta;
    }
    const optional = spec.shape === 'optional';
    if ('strings' in data) {
      if (data.strings.length !== rows) throw new RangeError(`column ${spec.name}: ${data.strings.length} values for ${rows} rows`);
      const { bytes, encoded } = plainStrings(data.strings);
      const present = (i: number) => data.strings[i] !== null && data.strings[i] !== undefined;
      if (!optional && encoded.length !== rows) throw new TypeError(`column ${spec.name} is required but holds nulls`);
      const def = optional ? optionalDefinition(rows, present) : new Uint8Array(0);
      const buf = this.room(def.length + bytes.length);
      buf.set(def, 0);
      buf.set(bytes, def.length);
      if (rows) this.page(buf.subarray(0, def.length + bytes.length), rows, Encoding.PLAIN, out, meta);
      meta.statistics = columnStatistics(data, rows, encoded);
      return meta;
    }
    if ('per' in data) throw new TypeError(`column ${spec.name}: only list columns take { per }`);
    const { values, valid } = data;
    if (values.length !== rows) throw new RangeError(`column ${spec.name}: ${values.length} values for ${rows} rows`);
    if (!optional && valid) throw new TypeError(`column ${spec.name} is required but was given a validity mask`);
    const w = values.BYTES_PER_ELEMENT;
    const def = optional ? optionalDefinition(rows, (i) => !valid || valid[i] === 1) : new Uint8Array(0);
    let count = rows;
    if (valid) {
      count = 0;
      for (let i = 0; i < rows; i++) count += valid[i];
    }
    const buf = this.room(def.length + count * w);
    buf.set(def, 0);
    let at = def.length;
    const write = enc === Encoding.BYTE_STREAM_SPLIT ? writeByteStreamSplit : writePlain;
    if (!valid) at += write(values, 0, rows, buf, at);
    else {
      // Only present values are stored: copy them together first (top-level columns are small).
      const Ctor = values.constructor as new (n: number) => typeof values;
      const dense = new Ctor(count);
      for (let i = 0, k = 0; i < rows; i++) if (valid[i]) dense[k++] = values[i];
      at += write(dense, 0, count, buf, at);
    }
    if (rows) this.page(buf.subarray(0, at), rows, enc, out, meta);
    meta.statistics = columnStatistics(data, rows);
    return meta;
  }

  /** The footer: file metadata, its length and the closing magic bytes. */
  finish(keyValueMetadata: Record<string, string> = {}): Uint8Array {
    const leaves = this.columns.map((c) => (c.shape === 'list' ? [c.name, 'list', 'element'] : [c.name]));
    const schema: ThriftStruct[] = [{ 4: 'schema', 5: this.columns.length }];
    for (const c of this.columns) {
      const text = c.text ? { 6: ConvertedType.UTF8, 10: { 1: {} } } : {};
      if (c.shape === 'list') {
        schema.push({ 3: Repetition.REQUIRED, 4: c.name, 5: 1, 6: ConvertedType.LIST, 10: { 3: {} } });
        schema.push({ 3: Repetition.REPEATED, 4: 'list', 5: 1 });
        schema.push({ 1: PhysicalType[c.type], 3: Repetition.REQUIRED, 4: 'element', ...text });
      } else schema.push({ 1: PhysicalType[c.type], 3: Repetition[c.shape === 'optional' ? 'OPTIONAL' : 'REQUIRED'], 4: c.name, ...text });
    }
    const rowGroups = this.groups.map((g) => {
      const columns = g.chunks.map((m, i) => {
        const c = this.columns[i];
        const levels = c.shape !== 'required';
        return {
          2: i64(m.offset),
          3: {
            1: PhysicalType[c.type],
            2: levels ? [Encoding[c.encoding ?? 'PLAIN'], Encoding.RLE] : [Encoding[c.encoding ?? 'PLAIN']],
            3: leaves[i],
            4: Codec.ZSTD,
            5: i64(m.numValues),
            6: i64(m.uncompressed),
            7: i64(m.compressed),
            9: i64(m.offset),
            12: m.statistics && Object.keys(m.statistics).length ? m.statistics : undefined,
          },
        } satisfies ThriftStruct;
      });
      return {
        1: columns,
        2: i64(g.chunks.reduce((a, m) => a + m.uncompressed, 0)),
        3: i64(g.rows),
        5: i64(g.chunks[0]?.offset ?? 0),
        6: i64(g.chunks.reduce((a, m) => a + m.compressed, 0)),
      } satisfies ThriftStruct;
    });
    const meta = serializeStruct({
      1: 2,
      2: schema,
      3: i64(this.rows),
      4: rowGroups,
      5: Object.keys(keyValueMetadata).length ? Object.entries(keyValueMetadata).map(([k, v]) => ({ 1: k, 2: v })) : undefined,
      6: this.o.createdBy,
      7: this.columns.map(() => ({ 1: {} })),
    });
    const tail = new ByteSink();
    tail.bytes(meta);
    tail.uint32le(meta.length);
    tail.bytes(MAGIC);
    return tail.view().slice();
  }
}

/**
 * `n` copies of one row written at `out[at]`: the row is encoded once, then copied (per byte stream
 * for BYTE_STREAM_SPLIT), so a grid shared by every row costs no per-row array.
 */
function repeatRow(
  row: Int32Array | BigInt64Array | Float32Array | Float64Array,
  n: number,
  split: boolean,
  out: Uint8Array,
  at: number,
): void {
  const w = row.BYTES_PER_ELEMENT;
  const per = row.length;
  const once = new Uint8Array(per * w);
  if (split) writeByteStreamSplit(row, 0, per, once, 0);
  else writePlain(row, 0, per, once, 0);
  if (!split) {
    for (let r = 0; r < n; r++) out.set(once, at + r * per * w);
    return;
  }
  for (let k = 0; k < w; k++) {
    const stream = once.subarray(k * per, (k + 1) * per);
    for (let r = 0; r < n; r++) out.set(stream, at + k * n * per + r * per);
  }
}

/** Bytes per value of a column (for callers sizing row groups). */
export function valueWidth(spec: ColumnSpec): number {
  return spec.type === 'BYTE_ARRAY' ? 16 : WIDTH[spec.type];
}
