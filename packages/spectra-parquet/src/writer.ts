/**
 * `@desi/spectra-parquet/writer`: the Parquet writer alone (no Arrow, DuckDB, Vega or footer tools),
 * for programs that only write spectra and care about start-up, such as `desi-qso convert`.
 */

export { HATS_ORDER, hatsPixelDir } from './hats.js';
export { EMLINE_COLUMNS, type SpectraBatch } from './input.js';
export { loadZstd, type Zstd } from './parquet/zstd.js';
export { VERSION } from './version.js';
export {
  type ByteSinkLike,
  batchMetadata,
  encodeSpectraParquet,
  encodeSpectraParquetChunks,
  parquetFileName,
  parseParquetFileName,
  SpectraParquetWriter,
  type WriteOptions,
  writeSpectraParquet,
} from './write.js';
