/** Node-only helpers: local mirrors of the HEALPix tree. */
export { localPixelSources } from './io/local.js';
