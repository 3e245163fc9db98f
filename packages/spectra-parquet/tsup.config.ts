import { defineConfig } from 'tsup';

export default defineConfig([
  // shims: CommonJS gets an import.meta.url (lazy-require.ts uses it only where there is no require).
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
