import { defineConfig } from 'tsup';

// The `desi-qso` executable and the Parquet encoding thread's entry, as plain ES modules for Node:
// what users run is this build, never the TypeScript sources. Commands load their modules lazily,
// so each becomes its own chunk.
export default defineConfig({
  entry: { cli: 'src/bin.ts', 'encode-worker': 'src/encode-worker.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  banner: { js: '#!/usr/bin/env node' },
});
