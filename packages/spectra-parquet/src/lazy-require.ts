import { createRequire } from 'node:module';

/**
 * A synchronous `require` for loading heavy or native CommonJS modules on first use rather than at
 * import. Made from this module's URL in both builds (the CommonJS build gets `import.meta.url` from
 * tsup's shims); a bare `require` would become esbuild's throwing stub in the ES module build.
 */
export const lazyRequire: NodeJS.Require = createRequire(import.meta.url);
