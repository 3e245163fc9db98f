import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      node: 'src/node.ts',
      writer: 'src/writer.ts',
      'platform/node-io': 'src/platform/node-io.ts',
      'platform/browser-io': 'src/platform/browser-io.ts',
    },
    // `#platform-io` stays an import, resolved by the package's "imports" map for Node or elsewhere.
    external: ['#platform-io'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: false,
    sourcemap: true,
    target: 'es2022',
  },
  {
    entry: { cli: 'src/bin.ts' },
    external: ['#platform-io'],
    format: ['esm'],
    sourcemap: true,
    target: 'es2022',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
