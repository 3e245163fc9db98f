import { describe, expect, it } from 'vitest';
import { RangeCache } from '../src/index.js';

const SIZE = 1 << 20;
const data = Uint8Array.from({ length: SIZE }, (_, i) => (i * 31 + (i >> 8)) & 255);

/** A cache over `data` that logs every fetch. */
function cacheOf(opts: ConstructorParameters<typeof RangeCache>[2] = {}) {
  const log: Array<[number, number]> = [];
  const cache = new RangeCache(
    () => SIZE,
    async (o, l) => {
      log.push([o, l]);
      await new Promise((r) => setTimeout(r, 1));
      return data.slice(o, o + l);
    },
    opts,
  );
  return { cache, log };
}

describe('RangeCache', () => {
  it('serves reads from prefetched ranges merged across small gaps, with no further requests', async () => {
    const { cache, log } = cacheOf({ maxGap: 100, minRead: 1 });
    const rows = Array.from({ length: 300 }, (_, i) => ({ offset: 1000 + i * 3000 + (i % 2) * 50, length: 1000 }));
    cache.prefetch(rows);
    // Reads in any order, while the prefetches are still in flight and after.
    for (const r of [...rows].reverse()) expect(await cache.read(r.offset, r.length)).toEqual(data.subarray(r.offset, r.offset + r.length));
    for (const r of rows) expect(await cache.read(r.offset + 10, 20)).toEqual(data.subarray(r.offset + 10, r.offset + 30));
    expect(log.length).toBe(300);
    expect(cache.stats).toEqual({ requests: 300, bytesFetched: 300_000 });
  });

  it('merges rows closer than maxGap into one request', async () => {
    const { cache, log } = cacheOf({ maxGap: 2000, minRead: 1 });
    cache.prefetch([0, 1, 2, 3].map((i) => ({ offset: i * 3000, length: 1500 })));
    expect(await cache.read(9000, 1500)).toEqual(data.subarray(9000, 10500));
    expect(log).toEqual([[0, 10500]]);
  });

  it('extends small reads to minRead and answers the next small reads from them', async () => {
    const { cache, log } = cacheOf({ minRead: 8192 });
    expect(await cache.read(100, 80)).toEqual(data.subarray(100, 180));
    expect(await cache.read(2880, 2880)).toEqual(data.subarray(2880, 5760));
    expect(log).toEqual([[100, 8192]]);
    // The same range asked twice at once is fetched once.
    const [a, b] = await Promise.all([cache.read(500_000, 10), cache.read(500_004, 10)]);
    expect(a).toEqual(data.subarray(500_000, 500_010));
    expect(b).toEqual(data.subarray(500_004, 500_014));
    expect(log.length).toBe(2);
  });

  it('answers a read straddling cached segments from them (joined), and fetches only when there is a hole', async () => {
    const { cache, log } = cacheOf({ minRead: 4096 });
    await cache.read(10_000, 100); // [10000, 14096)
    await cache.read(14_096, 100); // [14096, 18192): meets the first
    await cache.read(17_000, 100); // inside the second
    expect(log.length).toBe(2);
    // A long read across both (a header of six blocks read in two minimum reads): no request.
    expect(await cache.read(10_500, 7000)).toEqual(data.subarray(10_500, 17_500));
    expect(log.length).toBe(2);
    // Across a hole: fetched.
    await cache.read(30_000, 100);
    expect(await cache.read(17_000, 14_000)).toEqual(data.subarray(17_000, 31_000));
    expect(log.length).toBe(4);
  });

  it('evicts the least recently used segments beyond cacheBytes', async () => {
    const { cache, log } = cacheOf({ minRead: 1, cacheBytes: 3000 });
    await cache.read(0, 1000);
    await cache.read(10_000, 1000);
    await cache.read(0, 10); // touch the first
    await cache.read(20_000, 1000);
    await cache.read(30_000, 1000); // over the limit: 10_000 goes first, then 0 survives
    expect(log.length).toBe(4);
    await cache.read(0, 1000);
    expect(log.length).toBe(4);
    await cache.read(10_000, 1000);
    expect(log.length).toBe(5);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    let active = 0;
    let peak = 0;
    const cache = new RangeCache(
      () => SIZE,
      async (o, l) => {
        peak = Math.max(peak, ++active);
        await new Promise((r) => setTimeout(r, 2));
        active--;
        return data.slice(o, o + l);
      },
      { concurrency: 3, minRead: 1, maxGap: 0 },
    );
    await Promise.all(Array.from({ length: 20 }, (_, i) => cache.read(i * 5000, 100)));
    expect(peak).toBe(3);
  });
});
