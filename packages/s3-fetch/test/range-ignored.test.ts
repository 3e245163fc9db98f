/**
 * A server that ignores Range and answers every GET with the whole object (200): S3RangeSource
 * refuses it as HttpRangeSource does (FitsError `unsupported`), through both transports, without
 * reading the object's body.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FitsError, HttpRangeSource } from '@desi/fits-reader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublicClient, S3RangeSource } from '../src/index.js';

const SIZE = 8 << 20;
let url = '';
let bodyBytesSent = 0;
const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-length': String(SIZE), etag: '"abc"' });
  if (req.method === 'HEAD') return res.end();
  // Sent slowly in pieces, so a client that reads the body would be seen reading it.
  let left = SIZE;
  const piece = Buffer.alloc(64 << 10, 7);
  const push = () => {
    if (left <= 0 || res.destroyed) return res.end();
    const n = Math.min(left, piece.length);
    left -= n;
    bodyBytesSent += n;
    if (res.write(piece.subarray(0, n))) setImmediate(push);
    else res.once('drain', push);
  };
  push();
});

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('a server that ignores Range', () => {
  for (const transport of ['fetch', 'sdk'] as const) {
    it(`S3RangeSource (${transport}) refuses the 200 with FitsError unsupported`, async () => {
      bodyBytesSent = 0;
      const client = createPublicClient({ endpoint: url });
      const src = await S3RangeSource.open(
        client,
        { bucket: 'b', key: 'k.fits' },
        { size: SIZE, etag: '"abc"', retry: { windowMs: 1000 }, objectUrl: transport === 'fetch' ? `${url}/b/k.fits` : undefined },
      );
      const e = await src.read(1000, 100).catch((x) => x);
      expect(e).toBeInstanceOf(FitsError);
      expect(e.code).toBe('unsupported');
      // The whole object was not downloaded to serve 100 bytes.
      expect(bodyBytesSent).toBeLessThan(SIZE);
    });
  }

  it('HttpRangeSource refuses it the same way', async () => {
    const e = await HttpRangeSource.open(`${url}/b/k.fits`).catch((x) => x);
    expect(e).toBeInstanceOf(FitsError);
    expect(e.code).toBe('unsupported');
  });
});
