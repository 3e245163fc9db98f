/** Parquet's enum values (parquet.thrift) used by this writer. */
export const PhysicalType = { INT32: 1, INT64: 2, FLOAT: 4, DOUBLE: 5, BYTE_ARRAY: 6 } as const;
export type Physical = keyof typeof PhysicalType;

export const Encoding = { PLAIN: 0, RLE: 3, BYTE_STREAM_SPLIT: 9 } as const;
export type ValueEncoding = 'PLAIN' | 'BYTE_STREAM_SPLIT';

export const Repetition = { REQUIRED: 0, OPTIONAL: 1, REPEATED: 2 } as const;
export const ConvertedType = { UTF8: 0, LIST: 3 } as const;
export const PageType = { DATA_PAGE: 0 } as const;
export const Codec = { UNCOMPRESSED: 0, ZSTD: 6 } as const;

/** Bytes per value of the fixed-width physical types. */
export const WIDTH: Record<Exclude<Physical, 'BYTE_ARRAY'>, number> = { INT32: 4, INT64: 8, FLOAT: 4, DOUBLE: 8 };

/**
 * One leaf column of a flat schema. `required` and `optional` are top-level primitives; `list` is a
 * required LIST of required elements (the standard three-level layout) whose rows all hold the same
 * number of elements, which makes its repetition and definition levels trivial.
 */
export interface ColumnSpec {
  name: string;
  type: Physical;
  shape: 'required' | 'optional' | 'list';
  /** BYTE_ARRAY as UTF-8 text (the STRING logical type). */
  text?: boolean;
  /** Value encoding (default PLAIN). BYTE_STREAM_SPLIT is for FLOAT and DOUBLE. */
  encoding?: ValueEncoding;
}

/** The values of one column in one row group. */
export type ColumnValues =
  /** required/optional numbers; optional columns mark nulls in `valid` (1 = present) */
  | { values: Int32Array | BigInt64Array | Float32Array | Float64Array; valid?: Uint8Array }
  /** required/optional text; null entries are nulls */
  | { strings: ArrayLike<string | null> }
  /** fixed-length list column: `rows × per` values, row-major; or one row of `per` values shared by every row */
  | { values: Int32Array | BigInt64Array | Float32Array | Float64Array; per: number; sameEveryRow?: boolean };
