import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { startLocalS3Server } from '@desi/s3-fetch';
import { DR1, fileName, type PixelId, pixelDir } from '@desi/tile-fusion';
import { makeSyntheticPixel } from '@desi/tile-fusion/synthetic';

/** A local S3 server holding a small DESI-format archive. */
export interface LocalArchive {
  endpoint: string;
  bucket: string;
  /** `s3://bucket/prefix` of the HEALPix tree. */
  source: string;
  pixels: PixelId[];
  /** Good QSOs written, per pixel id `survey/program/healpix`. */
  qsos: Map<string, number>;
  bytes: number;
  stop: () => Promise<void>;
}

/** A client that may write to a local server (which accepts any credentials). */
export function localWriter(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-west-2',
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/**
 * Start a local S3 server and put a few synthetic DESI-format pixels in it (written with the
 * project's own FITS writer), at their DR1 keys: what the demo and the tests convert.
 */
export async function startDemoArchive(o: { pixels: PixelId[]; ntargets?: number; bucket?: string }): Promise<LocalArchive> {
  const bucket = o.bucket ?? 'desidata';
  const server = await startLocalS3Server({ bucket });
  try {
    const s3 = localWriter(server.endpoint);
    const qsos = new Map<string, number>();
    let bytes = 0;
    for (const p of o.pixels) {
      const files = makeSyntheticPixel({ ...p, ntargets: o.ntargets ?? 120 });
      qsos.set(`${p.survey}/${p.program}/${p.healpix}`, files.goodQsos.length);
      const dir = `${DR1.prefix}${pixelDir(p)}`;
      const put = async (product: 'coadd' | 'redrock' | 'emline', body: Uint8Array | undefined) => {
        if (!body) return;
        bytes += body.length;
        // Multipart above 8 MiB, as real archives hold GB-sized coadds (and local servers cap single PUTs).
        await new Upload({ client: s3, params: { Bucket: bucket, Key: dir + fileName(product, p), Body: body }, partSize: 8 << 20 }).done();
      };
      await put('coadd', files.coadd);
      await put('redrock', files.redrock);
      await put('emline', files.emline);
    }
    s3.destroy();
    return { endpoint: server.endpoint, bucket, source: `s3://${bucket}/${DR1.prefix}`, pixels: o.pixels, qsos, bytes, stop: server.stop };
  } catch (e) {
    await server.stop();
    throw e;
  }
}
