// Each README's example as a consumer runs it, against the installed tarballs (ESM).
// argv: <fixture HEALPix root> <local S3 endpoint or ''>
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFits } from '@desi/fits-reader';
import { pixelCenter, radecToPixel } from '@desi/healpix';
import { createPublicClient, listLeafDirectories, S3RangeSource, startLocalS3Server } from '@desi/s3-fetch';
import { parquetFileName, writeSpectraParquet } from '@desi/spectra-parquet';
import { SpectraParquetWriter } from '@desi/spectra-parquet/writer';
import { fusePixel } from '@desi/tile-fusion';
import { localPixelSources } from '@desi/tile-fusion/node';

const [root] = process.argv.slice(2);
const pixelDir = join(root, 'main/dark/100/10016');

// @desi/healpix README
assert.equal(radecToPixel(150.1, 2.2), 27258);
assert.equal(radecToPixel(pixelCenter(27258).ra, pixelCenter(27258).dec), 27258);

// @desi/fits-reader README
const fits = await openFits(join(pixelDir, 'coadd-main-dark-10016.fits'));
const hdus = await fits.hdus();
assert.ok(hdus.some((h) => h.name === 'FIBERMAP'));
const fm = await fits.readTable('FIBERMAP', { columns: ['TARGETID', 'TARGET_RA'], rows: [0, 1, 2] });
assert.ok(fm.columns.TARGETID instanceof BigInt64Array);
const flux = await fits.readImage('B_FLUX', { rows: [0, 2] });
assert.ok(flux.data instanceof Float32Array);
assert.equal(flux.shape[0], 2);
const checked = await fits.readTable('FIBERMAP', { verify: true });
assert.ok(['ok', 'absent'].includes(checked.checksums.datasum));
await fits.close();

// @desi/tile-fusion README
const { pixel, sources } = localPixelSources(pixelDir);
const f = await fusePixel(sources, { pixel });
assert.equal(f.count, 9);
assert.ok(f.targetId instanceof BigInt64Array);

// @desi/spectra-parquet README (one file, then the streaming form)
const out = mkdtempSync(join(tmpdir(), 'consumer-'));
const r = await writeSpectraParquet(join(out, parquetFileName(f.pixel.healpix, f.count)), f);
assert.equal(r.rows, 9);
const w = await SpectraParquetWriter.toFile(join(out, 'all.parquet'));
await w.write(f);
assert.equal((await w.close()).rows, 9);
assert.deepEqual(readdirSync(out).sort(), ['all.parquet', 'qso_data_TILE10016_9_qsos.parquet']);

// @desi/s3-fetch README, against a local S3 server the package starts
const server = await startLocalS3Server({ bucket: 'desidata', synthetic: { prefix: 'dr1/x/100/10016/', files: 1, size: 5000 } });
try {
  const s3 = createPublicClient({ endpoint: server.endpoint });
  const dirs = await listLeafDirectories(s3, 'desidata', 'dr1/x/', 1);
  assert.equal(dirs[0].prefix, 'dr1/x/100/');
  const src = await S3RangeSource.open(s3, { bucket: 'desidata', key: 'dr1/x/100/10016/object-0.bin' });
  assert.equal((await src.read(10, 20)).length, 20);
  assert.ok(src.stats.requests >= 1);
} finally {
  await server.stop();
}
console.log('esm consumer ok');
