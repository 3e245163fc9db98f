import { describe, expect, it } from 'vitest';
import { isTransientError, isTransientStatus, RetryWindowExceeded, withRetry } from '../src/retry.js';

const sys = (code: string) => Object.assign(new Error(code), { code });
const http = (status: number) => Object.assign(new Error(`HTTP ${status}`), { $metadata: { httpStatusCode: status } });

describe('which failures are transient', () => {
  it('HTTP 408, 429 and 5xx are; 403, 404 and 412 are not', () => {
    for (const s of [408, 429, 500, 502, 503, 504]) expect(isTransientStatus(s), String(s)).toBe(true);
    for (const s of [400, 403, 404, 412, 416]) expect(isTransientStatus(s), String(s)).toBe(false);
  });

  it('network failures and timeouts are, also as the cause of a rewrapped error; local failures are not', () => {
    for (const c of ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_SOCKET'])
      expect(isTransientError(new Error('wrapped', { cause: sys(c) })), c).toBe(true);
    for (const c of ['ENOSPC', 'EACCES', 'EDQUOT', 'EISDIR']) expect(isTransientError(sys(c)), c).toBe(false);
    expect(isTransientError(new TypeError('x is not a function'))).toBe(false);
    expect(isTransientError(http(503))).toBe(true);
    expect(isTransientError(http(404))).toBe(false);
    expect(isTransientError(Object.assign(new Error('t'), { name: 'TimeoutError' }))).toBe(true);
  });
});

describe('withRetry', () => {
  const fast = { baseMs: 1, maxDelayMs: 5, random: () => 1 };

  it('retries transient failures until one succeeds', async () => {
    let n = 0;
    const r = await withRetry(async () => {
      if (++n < 4) throw sys('ECONNRESET');
      return 'ok';
    }, fast);
    expect(r).toBe('ok');
    expect(n).toBe(4);
  });

  it('gives up on a final failure at once', async () => {
    let n = 0;
    await expect(
      withRetry(async () => {
        n++;
        throw sys('ENOSPC');
      }, fast),
    ).rejects.toThrow('ENOSPC');
    expect(n).toBe(1);
  });

  it('keeps trying for the window, not a count, then says how long it tried', async () => {
    let n = 0;
    const t0 = performance.now();
    const e = await withRetry(
      async () => {
        n++;
        throw http(503);
      },
      { ...fast, windowMs: 300 },
    ).catch((x) => x);
    expect(e).toBeInstanceOf(RetryWindowExceeded);
    expect((e as Error).message).toMatch(/still failing after \d+ attempts over 0\.\d s/);
    expect((e as Error).cause).toBeDefined();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(250);
    expect(n).toBeGreaterThan(20); // 5 ms apart at most: many probes, not 3 quick tries
  });

  it('backs off exponentially with full jitter, capped', async () => {
    const waits: number[] = [];
    const realSetTimeout = globalThis.setTimeout;
    globalThis.setTimeout = ((fn: () => void, ms: number) => {
      waits.push(ms);
      return realSetTimeout(fn, 0);
    }) as typeof setTimeout;
    try {
      let n = 0;
      await withRetry(
        async () => {
          if (++n < 8) throw sys('ECONNRESET');
        },
        { baseMs: 100, maxDelayMs: 1_000, random: () => 0.5 },
      );
    } finally {
      globalThis.setTimeout = realSetTimeout;
    }
    expect(waits).toEqual([50, 100, 200, 400, 500, 500, 500]);
  });
});
