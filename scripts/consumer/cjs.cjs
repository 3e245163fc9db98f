// The CommonJS entries as a consumer requires them (no require(esm) needed).
const assert = require('node:assert/strict');
const { join } = require('node:path');
const { openFits } = require('@desi/fits-reader');
const { radecToPixel } = require('@desi/healpix');
assert.equal(radecToPixel(150.1, 2.2), 27258);
const { encodeSpectraParquet, encodeTargetIndex, openTargetIndex } = require('@desi/spectra-parquet/writer');
const { fusePixel, indexPixel } = require('@desi/tile-fusion');
const { localPixelSources } = require('@desi/tile-fusion/node');
const { parseLocation } = require('@desi/s3-fetch');

(async () => {
  const pixelDir = join(process.argv[2], 'main/dark/100/10016');
  const fits = await openFits(join(pixelDir, 'coadd-main-dark-10016.fits'));
  assert.ok((await fits.hdus()).length > 10);
  await fits.close();
  const { pixel, sources } = localPixelSources(pixelDir);
  const f = await fusePixel(sources, { pixel });
  assert.ok(encodeSpectraParquet(f).length > 1000);
  assert.equal(parseLocation('s3://desidata/dr1/').bucket, 'desidata');
  // The target index through CommonJS: built, encoded, looked up (hyparquet is ESM, loaded by import()).
  const { rows } = await indexPixel({ redrock: sources.redrock, coadd: sources.coadd }, { pixel, files: { coadd: 'c.fits' } });
  const bytes = await encodeTargetIndex(rows);
  const index = await openTargetIndex({ size: bytes.length, read: async (o, n) => bytes.subarray(o, o + n) });
  assert.equal((await index.lookup([rows[3].targetId])).get(rows[3].targetId).row, rows[3].row);
  console.log('cjs consumer ok');
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
