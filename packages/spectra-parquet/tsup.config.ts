import { defineConfig } from 'tsup';

export default defineConfig([
  // shims: CommonJS gets an import.meta.url (parquet/zstd.ts makes its require from it).
  {
    entry: { index: 'src/index.ts', writer: 'src/writer.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    clean: false,
    sourcemap: true,
    target: 'es2022',
    shims: true,
  },
  { entry: { cli: 'src/bin.ts' }, format: ['esm'], sourcemap: true, target: 'es2022', banner: { js: '#!/usr/bin/env node' } },
]);
