/** FITS writer entry: images and binary tables with CHECKSUM/DATASUM. */
export { type CardInput, formatCard } from './writer/cards.js';
export { encodeChecksum } from './writer/checksum-encode.js';
export type { TableColumnInput } from './writer/encode-table.js';
export { type HduInput, type ImageHduInput, type TableHduInput, type WriteOptions, writeFits } from './writer/write.js';
export { writeFitsFile } from './writer/write-file.js';
