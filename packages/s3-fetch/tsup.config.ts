import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts', journal: 'src/journal.ts', range: 'src/range.ts' },
    format: ['esm', 'cjs'],
    // CommonJS gets import.meta.url (local-server.ts finds its package folder with it).
    shims: true,
    dts: true,
    clean: false,
    sourcemap: true,
    target: 'es2022',
    external: ['fauxqs'],
  },
  {
    entry: { cli: 'src/bin.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'es2022',
    external: ['fauxqs'],
    banner: { js: '#!/usr/bin/env node' },
  },
]);
