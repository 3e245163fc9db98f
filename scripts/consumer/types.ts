// Types as a TypeScript consumer sees them (node16 resolution, ESM).
import { type FitsFile, openFits } from '@desi/fits-reader';
import type { S3RangeSourceOptions } from '@desi/s3-fetch';
import type { SpectraBatch, WriteOptions } from '@desi/spectra-parquet';
import { SpectraParquetWriter } from '@desi/spectra-parquet/writer';
import { type FusedPixel, fusePixel } from '@desi/tile-fusion';

export async function check(path: string): Promise<number> {
  const fits: FitsFile = await openFits(path);
  const o: WriteOptions = { rowGroupSize: 128, compressionLevel: 1 };
  const r: S3RangeSourceOptions = { retry: { windowMs: 1000 }, timeouts: { idleMs: 1000 } };
  const f: FusedPixel = await fusePixel({ coadd: path, redrock: path }, {});
  const b: SpectraBatch = f;
  const w = await SpectraParquetWriter.toSink({ write: () => {} }, o);
  await w.write(b);
  return (await fits.hdus()).length + Object.keys(r).length;
}
