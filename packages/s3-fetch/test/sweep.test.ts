import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublicClient, listAll, recommendWorkers, sweepTable, workerSweep } from '../src/index.js';
import { startLocalArchive } from '../src/local-server.js';

describe('worker sweep', () => {
  let local: Awaited<ReturnType<typeof startLocalArchive>>;
  beforeAll(async () => {
    local = await startLocalArchive('desidata', 'dr1/bench/', 4, 1 << 20);
  }, 60_000);
  afterAll(() => local?.stop());

  it('measures the SDK and plain HTTPS paths per worker count against a local server process', async () => {
    const client = createPublicClient({ endpoint: local.endpoint });
    const objects = await listAll(client, 'desidata', 'dr1/bench/');
    expect(objects.length).toBe(4);
    const rows = await workerSweep({
      client,
      bucket: 'desidata',
      objects,
      workers: [1, 2],
      repeat: 1,
      objectUrl: (k) => `${local.endpoint}/desidata/${k}`,
    });
    expect(rows.map((r) => `${r.path}:${r.workers}`)).toEqual(['sdk:1', 'sdk:2', 'fetch:1', 'fetch:2']);
    for (const r of rows) {
      expect(r.failures).toBe(0);
      expect(r.avgMBps).toBeGreaterThan(0);
    }
    expect([1, 2]).toContain(recommendWorkers(rows));
    expect(sweepTable(rows)).toMatch(/\| sdk \| 2 \| [\d.]+ \| [\d.]+ \| 0 \|/);
  }, 60_000);

  it('recommends the smallest setting within 90 % of the best failure-free rate', () => {
    const row = (workers: number, avg: number, failures = 0) => ({
      path: 'sdk' as const,
      workers,
      rates: [avg],
      avgMBps: avg,
      maxMBps: avg,
      failures,
    });
    expect(recommendWorkers([row(1, 10), row(4, 35), row(8, 40), row(16, 60, 3)])).toBe(8);
    expect(recommendWorkers([row(1, 10, 1)])).toBeUndefined();
  });
});
