export { EMLINE_COLUMNS, type SpectraBatch } from './input.js';
export { spectraSchema, toArrowTable, VERSION } from './schema.js';
export {
  batchMetadata,
  encodeSpectraParquet,
  parquetFileName,
  parseParquetFileName,
  type WriteOptions,
  writeSpectraParquet,
} from './write.js';
