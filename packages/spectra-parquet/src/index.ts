export { type AnalyzeReport, analyzeParquet, type FileReport, parquetFiles } from './analyze.js';
export { finalizeHats, HATS_ORDER, type HatsOptions, hatsPixelDir } from './hats.js';
export { radecToPixel } from './healpix.js';
export { EMLINE_COLUMNS, type SpectraBatch } from './input.js';
export { loadZstd, type Zstd } from './parquet/zstd.js';
export { type ReportOptions, type ReportSummary, writeReport } from './report.js';
export { spectraSchema, toArrowTable, VERSION } from './schema.js';
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
