/**
 * @desi/spectra-parquet: not implemented yet (see the issue tracker); the package exists so the workspace
 * layout and release flow are in place from the start.
 */
export {};
