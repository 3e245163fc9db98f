import { describe, expect, it } from 'vitest';
import { MemoryBudget } from '../src/memory-budget.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('MemoryBudget', () => {
  it('admits holders while they fit and makes the next wait until bytes are freed', async () => {
    const b = new MemoryBudget(100);
    const a = await b.admit(60);
    let second = false;
    const p = b.admit(50).then((r) => {
      second = true;
      return r;
    });
    await tick();
    expect(second).toBe(false);
    a.release();
    (await p).release();
    expect(second).toBe(true);
    expect(b.peak).toEqual({ bytes: 60, holders: 1 });
  });

  it('a holder larger than the budget alone is admitted (progress), and grows past it when nobody else runs', async () => {
    const b = new MemoryBudget(100);
    const a = await b.admit(150);
    await a.grow(500);
    a.release();
    expect(b.peak.bytes).toBe(650);
  });

  it('two holders that both wait to grow do not deadlock: the first grows over the budget', async () => {
    const b = new MemoryBudget(100);
    const x = await b.admit(40);
    const y = await b.admit(40);
    const order: string[] = [];
    const gx = x.grow(50).then(() => order.push('x'));
    const gy = y.grow(50).then(() => order.push('y'));
    await tick();
    // Both waiting, nobody running: x (first in line) goes; y waits for x to finish.
    expect(order).toEqual(['x']);
    x.release();
    await gy;
    await gx;
    expect(order).toEqual(['x', 'y']);
    y.release();
  });

  it('a new pixel never slips in while the running ones wait to grow, and growth goes before admission', async () => {
    const b = new MemoryBudget(10);
    const a = await b.admit(20); // alone: admitted over the budget
    let admitted = false;
    const next = b.admit(1).then((r) => {
      admitted = true;
      return r;
    });
    const grown = a.grow(30); // the only holder waits: it grows (over budget) rather than stall
    await grown;
    await tick();
    expect(admitted).toBe(false);
    a.release();
    (await next).release();
    expect(b.peak.holders).toBe(1);
  });

  it('waiting requests are served in order', async () => {
    const b = new MemoryBudget(10);
    const first = await b.admit(10);
    const got: number[] = [];
    const p = [1, 2, 3].map((i) => b.admit(5).then((r) => got.push(i) && r));
    first.release();
    const rs = await Promise.all([p[0], p[1]]);
    expect(got).toEqual([1, 2]);
    for (const r of rs) (r as unknown as { release(): void }).release?.();
    await p[2];
    expect(got).toEqual([1, 2, 3]);
  });
});
