export { mergeCameras, mergedGrid } from './assemble/brz.js';
export { type CameraData, concatCameras, type Spectra } from './assemble/spectra.js';
export * from './datamodel.js';
export { FusionError, type FusionErrorCode } from './errors.js';
export { type FusedPixel, type FuseOptions, fusePixel } from './fuse.js';
export type { RedrockFits } from './io/rrdetails.js';
export type { PixelSources, ProductInput } from './io/sources.js';
export { keepBits, type Precision, pyRound } from './precision.js';
export { QSO_CATALOG_FIBERSTATUS_OK, QSO_MASKBITS, type Selection, select } from './select.js';
