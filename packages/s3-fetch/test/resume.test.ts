import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFits } from '@desi/fits-reader';
import { writeFits } from '@desi/fits-reader/writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublicClient, downloadAll, listAll, ObjectChangedError, publicObjectUrl, S3RangeSource } from '../src/index.js';
import { startFaultProxy } from './harness/fault-proxy.js';
import { startS3 } from './harness/server.js';

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
const blob = (n: number, seed: number) => {
  let s = seed >>> 0;
  return Uint8Array.from({ length: n }, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24);
};

describe('with a real S3 server', () => {
  let s3: Awaited<ReturnType<typeof startS3>>;
  beforeAll(async () => {
    s3 = await startS3();
  });
  afterAll(() => s3.server.stop());

  it('a download killed with SIGKILL resumes without fetching completed files again', async () => {
    const objects = Array.from({ length: 40 }, (_, i) => [`dr1/resume/f${String(i).padStart(2, '0')}.bin`, blob(1_500_000, i)] as const);
    for (const [k, v] of objects) await s3.put(k, v);
    const out = mkdtempSync(join(tmpdir(), 'resume-'));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=source', join(import.meta.dirname, 'harness', 'download-child.ts'), s3.endpoint, out],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let completed = 0;
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        const m = /done (\d+)/g;
        for (const x of d.toString().matchAll(m)) completed = Number(x[1]);
        if (completed >= 10 && !child.killed) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => resolve());
    });
    expect(completed).toBeGreaterThanOrEqual(10);
    expect(completed).toBeLessThan(40);
    const client = createPublicClient({ endpoint: s3.endpoint });
    const items = (await listAll(client, 'desidata', 'dr1/resume/')).map((o) => ({
      bucket: 'desidata',
      key: o.key,
      size: o.size,
      etag: o.etag,
    }));
    const s = await downloadAll(client, items, { outDir: out });
    expect(s.failed).toBe(0);
    expect(s.skipped).toBeGreaterThanOrEqual(completed);
    expect(s.skipped + s.downloaded).toBe(40);
    for (const [k, v] of objects) expect(md5(readFileSync(join(out, k))), k).toBe(md5(v));
  }, 120_000);

  it('S3RangeSource serves fits-reader reads, counting requests and bytes', async () => {
    const image = Float32Array.from({ length: 400 * 2000 }, (_, i) => i);
    const fits = writeFits([
      { type: 'image', data: new Uint8Array(0), shape: [0] },
      {
        type: 'table',
        name: 'FIBERMAP',
        numRows: 400,
        columns: [{ name: 'TARGETID', data: BigInt64Array.from({ length: 400 }, (_, i) => BigInt(i) + 39627788448434509n) }],
      },
      { type: 'image', name: 'B_FLUX', data: image, shape: [400, 2000] },
    ]);
    await s3.put('dr1/fits/coadd.fits', fits);
    const src = await S3RangeSource.open(createPublicClient({ endpoint: s3.endpoint }), { bucket: 'desidata', key: 'dr1/fits/coadd.fits' });
    expect(src.size).toBe(fits.length);
    const f = await openFits(src);
    const t = await f.readTable('FIBERMAP', { rows: [399, 0] });
    expect(Array.from(t.columns.TARGETID as BigInt64Array)).toEqual([39627788448434908n, 39627788448434509n]);
    const rows = [5, 150, 390];
    const im = await f.readImage('B_FLUX', { rows });
    expect(Array.from((im.data as Float32Array).subarray(0, 3))).toEqual([5 * 2000, 5 * 2000 + 1, 5 * 2000 + 2]);
    expect(src.stats.requests).toBeGreaterThan(0);
    expect(src.stats.requests).toBeLessThan(12);
    expect(src.stats.bytesFetched).toBeLessThan(3 * 8000 + 4 * (64 << 10));
  });

  it('the plain-HTTP transport reads the same bytes, counts requests, and notices a replaced object', async () => {
    await s3.put('dr1/fits/plain file.bin', blob(1_000_000, 11));
    const location = { bucket: 'desidata', key: 'dr1/fits/plain file.bin' };
    const client = createPublicClient({ endpoint: s3.endpoint });
    const viaSdk = await S3RangeSource.open(client, location, { minRead: 1024 });
    const objectUrl = publicObjectUrl(location, { endpoint: s3.endpoint });
    expect(objectUrl).toBe(`${s3.endpoint}/desidata/dr1/fits/plain%20file.bin`);
    const viaFetch = await S3RangeSource.open(client, location, { minRead: 1024, objectUrl });
    for (const [o, l] of [
      [0, 10],
      [123_456, 5000],
      [999_990, 10],
    ]) {
      expect(await viaFetch.read(o, l)).toEqual(await viaSdk.read(o, l));
    }
    expect(viaFetch.stats.requests).toBe(3);
    await s3.put('dr1/fits/plain file.bin', blob(1_000_000, 12));
    await expect(viaFetch.read(500_000, 10)).rejects.toBeInstanceOf(ObjectChangedError);
    expect(publicObjectUrl({ bucket: 'desidata', key: 'dr1/x.fits' })).toBe('https://desidata.s3.us-west-2.amazonaws.com/dr1/x.fits');
  });

  it('the plain-HTTP transport retries throttling, server errors and cut connections', async () => {
    const data = blob(400_000, 13);
    await s3.put('dr1/fits/flaky.bin', data);
    const location = { bucket: 'desidata', key: 'dr1/fits/flaky.bin' };
    for (const fault of ['slowdown', 'server-error', 'reset', 'truncate'] as const) {
      const proxy = await startFaultProxy(s3.endpoint, { seed: 5, rate: 1, maxFaults: 2, faults: [fault] });
      try {
        const src = await S3RangeSource.open(createPublicClient({ endpoint: s3.endpoint }), location, {
          minRead: 1024,
          objectUrl: publicObjectUrl(location, { endpoint: proxy.url }),
        });
        // Two faults in a row, then the third attempt gets through.
        expect(await src.read(100_000, 50_000)).toEqual(data.subarray(100_000, 150_000));
        expect(proxy.counts[fault]).toBe(2);
      } finally {
        await proxy.close();
      }
    }
    // A server that keeps failing is retried for the window (not a count), then reported with its cause.
    const always = await startFaultProxy(s3.endpoint, { seed: 5, rate: 1, maxFaults: 10_000, faults: ['server-error'] });
    try {
      const src = await S3RangeSource.open(createPublicClient({ endpoint: s3.endpoint }), location, {
        objectUrl: publicObjectUrl(location, { endpoint: always.url }),
        retry: { windowMs: 800, maxDelayMs: 50 },
      });
      await expect(src.read(0, 10)).rejects.toThrow(/flaky\.bin: range 0\+\d+: HTTP 500 \(still failing after \d+ attempts over 0\.\d s\)/);
      expect(always.counts['server-error']).toBeGreaterThan(5);
    } finally {
      await always.close();
    }
  });

  it('the plain-HTTP transport refuses a 200 (Range ignored) and a 206 whose body is longer than the range', async () => {
    const data = blob(300_000, 17);
    await s3.put('dr1/fits/long.bin', data);
    const location = { bucket: 'desidata', key: 'dr1/fits/long.bin' };
    const { createServer } = await import('node:http');
    let status = 200;
    const server = createServer((req, res) => {
      res.writeHead(req.url?.includes('long') ? status : 404, { 'content-length': String(data.length) });
      res.end(data);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/desidata/dr1/fits/long.bin`;
      const src = await S3RangeSource.open(createPublicClient({ endpoint: s3.endpoint }), location, { objectUrl: url, minRead: 1 });
      // The whole object for 500 bytes: refused as HttpRangeSource refuses it.
      await expect(src.read(1000, 500)).rejects.toMatchObject({ name: 'FitsError', code: 'unsupported' });
      // A 206 carrying more than the range: refused before allocation.
      status = 206;
      const again = await S3RangeSource.open(createPublicClient({ endpoint: s3.endpoint }), location, { objectUrl: url, minRead: 1 });
      await expect(again.read(0, 10)).rejects.toThrow(/at most 10 were expected/);
    } finally {
      server.close();
    }
  });

  it('an object replaced during range reads fails with ObjectChangedError', async () => {
    await s3.put('dr1/fits/moving.bin', blob(1_000_000, 9));
    const src = await S3RangeSource.open(
      createPublicClient({ endpoint: s3.endpoint }),
      { bucket: 'desidata', key: 'dr1/fits/moving.bin' },
      { minRead: 1024 },
    );
    await src.read(0, 10);
    await s3.put('dr1/fits/moving.bin', blob(1_000_000, 10));
    await expect(src.read(500_000, 10)).rejects.toBeInstanceOf(ObjectChangedError);
  });
});
