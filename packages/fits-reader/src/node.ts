/** Node-only entry: local files and native zlib inflate. */
export { FileSource } from './source/file-source.js';
export { nodeInflate } from './source/node-inflate.js';
