/**
 * The target index file: records round-trip exactly, the file is sorted by TARGETID with row-group
 * statistics, and a lookup decodes only the row groups that can hold the ids asked.
 */
import { describe, expect, it } from 'vitest';
import { encodeTargetIndex, openTargetIndex, type TargetIndexRecord } from '../src/index.js';

function record(i: number): TargetIndexRecord {
  const cam = (k: number) => ({
    npix: 2000 + k,
    waveOffset: 5760 * k,
    fluxOffset: 1e6 * k,
    ivarOffset: 2e6 * k,
    maskOffset: 3e6 * k,
    maskBzero: k === 2 ? 2 ** 31 : 0,
  });
  return {
    // Not in TARGETID order on purpose, and beyond 2^53 to catch any trip through a double.
    targetId: 39633345008617988n + BigInt(((i * 7919) % 1000) * 1_000_003),
    survey: i % 2 ? 'main' : 'sv3',
    program: 'dark',
    healpix: 10016 + (i % 3),
    row: i,
    nspec: 500,
    ra: 150 + i / 1000,
    dec: 2 - i / 1000,
    z: i / 100,
    zerr: 1e-4,
    zwarn: BigInt(i % 5),
    spectype: ['QSO', 'GALAXY', 'STAR'][i % 3],
    subtype: i % 3 === 2 ? 'K' : '',
    deltachi2: i * 1.5,
    chi2: i * 2.5,
    fiberstatus: i % 4 === 0 ? 0 : 8388608,
    coadd: `main/dark/100/${10016 + (i % 3)}/coadd-main-dark-${10016 + (i % 3)}.fits`,
    coaddEtag: i % 2 ? '"abc"' : undefined,
    coaddSize: 1_000_000_000 + i,
    emline: i % 2 ? 'main/dark/100/10016/emline-main-dark-10016.fits' : undefined,
    cameras: { B: cam(0), R: cam(1), Z: cam(2) },
  };
}

describe('target index file', () => {
  const records = Array.from({ length: 1000 }, (_, i) => record(i));

  it('round-trips every record, and a lookup reads one row group per id', async () => {
    const bytes = await encodeTargetIndex(records, { rowGroupSize: 100 });
    let read = 0;
    const index = await openTargetIndex({
      size: bytes.length,
      read: async (o, n) => {
        read += Math.min(n, bytes.length - o);
        return bytes.subarray(o, o + n);
      },
    });
    expect(index.rows).toBe(1000);
    const footer = read;
    const one = records[123];
    const found = await index.lookup([one.targetId, 42n]);
    expect(found.get(one.targetId)).toEqual(one);
    expect(found.has(42n)).toBe(false);
    expect(index.groupsRead).toBe(1);
    expect(read - footer).toBeLessThan(bytes.length / 5);
    // Every record, all groups.
    const all = await index.lookup(records.map((r) => r.targetId));
    for (const r of records) expect(all.get(r.targetId)).toEqual(r);
    expect(index.groupsRead).toBe(10);
  });
});
