// What reads, checks and catalogues spectra, and the writer (also `@desi/spectra-parquet/writer` on its own).

export { type AnalyzeReport, analyzeParquet, type FileReport, parquetFiles } from './analyze.js';
export { finalizeHats, type HatsOptions } from './hats.js';
export { radecToPixel } from './healpix.js';
export { type ReportOptions, type ReportSummary, writeReport } from './report.js';
export { spectraSchema, toArrowTable } from './schema.js';
export * from './target-index.js';
export * from './writer.js';
