// The writer (also `@desi/spectra-parquet/writer` on its own), then what reads, checks and catalogues.

export { type AnalyzeReport, analyzeParquet, type FileReport, parquetFiles } from './analyze.js';
export { finalizeHats, type HatsOptions } from './hats.js';
export { radecToPixel } from './healpix.js';
export { type ReportOptions, type ReportSummary, writeReport } from './report.js';
export { spectraSchema, toArrowTable } from './schema.js';
export * from './writer.js';
