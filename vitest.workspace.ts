/** The test projects: one per package (and per example once they exist). */
export const projects = [
  { extends: true, test: { name: 's3-fetch', root: 'packages/s3-fetch', include: ['test/**/*.test.ts'] } },
  { extends: true, test: { name: 'spectra-parquet', root: 'packages/spectra-parquet', include: ['test/**/*.test.ts'] } },
  { extends: true, test: { name: 'tile-fusion', root: 'packages/tile-fusion', include: ['test/**/*.test.ts'] } },
  { extends: true, test: { name: 'healpix', root: 'packages/healpix', include: ['test/**/*.test.ts'] } },
  { extends: true, test: { name: 'fits-reader', root: 'packages/fits-reader', include: ['test/**/*.test.ts'] } },
  { extends: true, test: { name: 'qso-pipeline', root: 'examples/qso-pipeline', include: ['test/**/*.test.ts'] } },
];
