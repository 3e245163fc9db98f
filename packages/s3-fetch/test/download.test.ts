import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublicClient, type DownloadItem, downloadAll, listAll } from '../src/index.js';
import { startFaultProxy } from './harness/fault-proxy.js';
import { startS3 } from './harness/server.js';

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

function bytes(n: number, seed: number): Uint8Array {
  let s = seed >>> 0;
  return Uint8Array.from({ length: n }, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24);
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('bulk download through a fault-injecting proxy', () => {
  let s3: Awaited<ReturnType<typeof startS3>>;
  const objects = new Map<string, Uint8Array>();

  beforeAll(async () => {
    s3 = await startS3();
    for (let i = 0; i < 300; i++) objects.set(`dr1/small/${Math.floor(i / 50)}/obj-${i}.bin`, bytes(2000 + ((i * 7919) % 18000), i));
    for (let i = 0; i < 3; i++) objects.set(`dr1/large/big-${i}.fits`, bytes(5_000_000 + i * 123_457, 1000 + i));
    for (const [k, v] of objects) await s3.put(k, v);
  }, 60_000);
  afterAll(() => s3.server.stop());

  it('every file ends complete and byte-identical, and the retries match the faults injected', async () => {
    const proxy = await startFaultProxy(s3.endpoint, { seed: 7, rate: 0.15, maxFaults: 60, stallMs: 300 });
    try {
      const client = createPublicClient({ endpoint: proxy.url });
      const listed = await listAll(createPublicClient({ endpoint: s3.endpoint }), 'desidata', 'dr1/', { pageSize: 100 });
      expect(listed.length).toBe(objects.size);
      const out = mkdtempSync(join(tmpdir(), 'dl-'));
      const items: DownloadItem[] = listed.map((o) => ({ bucket: 'desidata', key: o.key, size: o.size, etag: o.etag }));
      const progress: number[] = [];
      const s = await downloadAll(client, items, {
        outDir: out,
        concurrency: 8,
        stallTimeoutMs: 300,
        baseBackoffMs: 5,
        maxBackoffMs: 50,
        random: () => 0.5,
        onProgress: (p) => progress.push(p.bytes),
      });
      expect(s.failed).toBe(0);
      expect(s.downloaded).toBe(objects.size);
      for (const [k, v] of objects) expect(md5(readFileSync(join(out, k))), k).toBe(md5(v));
      expect(walk(out).filter((f) => f.endsWith('.part'))).toEqual([]);
      const injected = proxy.counts;
      expect(Object.values(injected).reduce((a, b) => a + b, 0)).toBeGreaterThan(10);
      expect(s.retries.throttled).toBe(injected.slowdown);
      expect(s.retries.server).toBe(injected['server-error']);
      expect(s.retries.network).toBe(injected.reset + injected.truncate + injected.stall);
      expect(s.resumed).toBeGreaterThan(0);
      expect(progress[progress.length - 1]).toBeGreaterThanOrEqual([...objects.values()].reduce((a, b) => a + b.length, 0));
      // A second run finds everything in the journal and fetches nothing.
      const again = await downloadAll(client, items, { outDir: out });
      expect(again.skipped).toBe(objects.size);
      expect(again.bytes).toBe(0);
    } finally {
      await proxy.close();
    }
  }, 120_000);

  it('an object replaced mid-transfer is fetched again whole (If-Match)', async () => {
    const key = 'dr1/changing/x.bin';
    const v1 = bytes(3_000_000, 1);
    const v2 = bytes(3_100_000, 2);
    await s3.put(key, v1);
    // Break the first transfer after some bytes, replace the object, then let the retry resume with If-Match.
    const proxy = await startFaultProxy(s3.endpoint, { seed: 3, rate: 1, maxFaults: 1, faults: ['reset'] });
    try {
      const client = createPublicClient({ endpoint: proxy.url });
      const out = mkdtempSync(join(tmpdir(), 'dl-change-'));
      const head = await listAll(createPublicClient({ endpoint: s3.endpoint }), 'desidata', 'dr1/changing/');
      let replaced = false;
      const s = await downloadAll(client, [{ bucket: 'desidata', key, size: head[0].size, etag: head[0].etag }], {
        outDir: out,
        baseBackoffMs: 1,
        onProgress: () => {
          if (!replaced) {
            replaced = true;
            void s3.put(key, v2);
          }
        },
      });
      expect(s.failed).toBe(0);
      expect(s.retries.changed).toBe(1);
      expect(md5(readFileSync(join(out, key)))).toBe(md5(v2));
    } finally {
      await proxy.close();
    }
  }, 60_000);

  it('refuses a key that would escape the output folder, and reports a missing object as failed', async () => {
    const client = createPublicClient({ endpoint: s3.endpoint });
    const out = mkdtempSync(join(tmpdir(), 'dl-bad-'));
    await expect(
      downloadAll(client, [{ bucket: 'desidata', key: '../escape.bin', size: 1, etag: '"x"' }], { outDir: out }),
    ).rejects.toThrow(/refusing/);
    const s = await downloadAll(client, [{ bucket: 'desidata', key: 'dr1/nope.bin' }], { outDir: out, maxAttempts: 2 });
    expect(s.failed).toBe(1);
    expect(existsSync(join(out, 'dr1/nope.bin'))).toBe(false);
  });
});
