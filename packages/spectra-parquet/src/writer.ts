/**
 * `@desi/spectra-parquet/writer`: the Parquet writer alone (no Arrow, DuckDB, Vega or footer tools),
 * and the target index, for programs that care about start-up, such as `desi-qso convert` and
 * `desi-qso spectra`.
 */

export { HATS_ORDER, hatsPixelDir } from './hats.js';
export { EMLINE_COLUMNS, type SpectraBatch } from './input.js';
export { loadZstd, type Zstd } from './parquet/zstd.js';
export {
  encodeTargetIndex,
  type IndexBytes,
  type IndexCameraLayout,
  openTargetIndex,
  type TargetIndex,
  type TargetIndexOptions,
  type TargetIndexRecord,
  writeTargetIndex,
} from './target-index.js';
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
