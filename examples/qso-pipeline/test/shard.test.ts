import { describe, expect, it } from 'vitest';
import { resolveShard, shardOf } from '../src/shard.js';

describe('shards', () => {
  it('assign every DR1-sized pixel list stably and evenly', () => {
    const ids = Array.from({ length: 12207 }, (_, i) => `main/dark/${i * 4 + 1}`);
    const counts = new Array(16).fill(0);
    for (const id of ids) counts[shardOf(id, 16)]++;
    expect(counts.reduce((a, b) => a + b, 0)).toBe(ids.length);
    for (const c of counts) expect(Math.abs(c - ids.length / 16)).toBeLessThan(0.1 * (ids.length / 16));
  });

  it('are pinned: the shards of a release never move (FNV-1a 32-bit of the id, computed apart in Python)', () => {
    // hash = 0x811c9dc5; for each character: hash ^= code; hash = hash * 0x01000193 mod 2^32
    const golden: Array<[string, number, number, number]> = [
      ['main/dark/10016', 3674310846, 14, 3],
      ['main/dark/26280', 3679229156, 4, 1],
      ['sv3/bright/17683', 709459114, 10, 0],
      ['main/bright/0', 1829567882, 10, 2],
      ['sv1/other/49151', 401876273, 1, 1],
    ];
    for (const [id, hash, of16, of7] of golden) {
      expect(shardOf(id, 2 ** 32), id).toBe(hash);
      expect(shardOf(id, 16), id).toBe(of16);
      expect(shardOf(id, 7), id).toBe(of7);
    }
  });

  it('come from the flag or the scheduler environment', () => {
    expect(resolveShard('2/5', {})).toEqual({ index: 2, count: 5, source: '--shard' });
    expect(resolveShard(undefined, { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '1' })).toMatchObject({
      index: 3,
      count: 4,
      source: 'SLURM',
    });
    expect(resolveShard(undefined, { JOB_COMPLETION_INDEX: '7' }, 8)).toMatchObject({ index: 7, count: 8, source: 'Kubernetes' });
    expect(resolveShard(undefined, { JOB_COMPLETION_INDEX: '1', DESI_QSO_SHARD_COUNT: '3' })).toMatchObject({ index: 1, count: 3 });
    expect(resolveShard(undefined, { AWS_BATCH_JOB_ARRAY_INDEX: '0', AWS_BATCH_JOB_ARRAY_SIZE: '10' })).toMatchObject({
      index: 0,
      count: 10,
      source: 'AWS Batch',
    });
    expect(resolveShard(undefined, {})).toBeUndefined();
    expect(() => resolveShard(undefined, { JOB_COMPLETION_INDEX: '1' })).toThrow(/--shard-count/);
    expect(() => resolveShard('5/5', {})).toThrow(/invalid shard/);
    expect(() => resolveShard('a/b', {})).toThrow(/i\/N/);
  });
});
