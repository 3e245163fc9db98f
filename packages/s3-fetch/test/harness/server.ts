import { PutObjectCommand } from '@aws-sdk/client-s3';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { createPublicClient } from '../../src/index.js';

/** A real S3-compatible server (fauxqs) on 127.0.0.1, with a bucket. */
export async function startS3(
  bucket = 'desidata',
): Promise<{ server: FauxqsServer; endpoint: string; put: (key: string, body: Uint8Array | string) => Promise<void> }> {
  const server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
  server.createBucket(bucket);
  const endpoint = `http://127.0.0.1:${server.port}`;
  // Uploads are signed with placeholder keys; fauxqs accepts any, like a public archive's owner would.
  const admin = createPublicClient({ endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  return {
    server,
    endpoint,
    put: async (key, body) => void (await admin.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }))),
  };
}
