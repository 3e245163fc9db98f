/**
 * The conversion's seams on their own: the ordered pool, the pure summary, and failure details kept
 * along an error's causes. Expected values are worked out by hand in each test.
 */
import { FitsError } from '@desi/fits-reader';
import { EMLINE_COLUMNS as PARQUET_EMLINE } from '@desi/spectra-parquet/writer';
import { EMLINE_COLUMNS as FUSED_EMLINE, FusionError } from '@desi/tile-fusion';
import { describe, expect, it } from 'vitest';
import { failureOf } from '../src/failure.js';
import { runPool } from '../src/pool.js';
import { type PixelOutcome, summarize } from '../src/summary.js';

describe('runPool', () => {
  it('takes items in order, runs at most `workers` at once, and reports each result by index', async () => {
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    const done: Array<[number, number]> = [];
    const { results, started: n } = await runPool(
      [5, 1, 3, 2, 4],
      2,
      async (ms, i) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, ms * 5));
        inFlight--;
        return ms * 10 + i;
      },
      { onStart: (i) => started.push(i), onDone: (i, r) => done.push([i, r]) },
    );
    expect(results).toEqual([50, 11, 32, 23, 44]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
    expect(n).toBe(5);
    expect(done.map(([i]) => i).sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('stops taking items once asked; the ones in flight finish', async () => {
    let stop = false;
    const { results, started } = await runPool([1, 2, 3, 4, 5, 6], 2, async (x) => x, {
      shouldStop: () => stop,
      onDone: (i) => {
        if (i === 1) stop = true;
      },
    });
    expect(started).toBeLessThan(6);
    expect(results.filter((r) => r !== undefined).length).toBe(started);
  });
});

describe('summarize', () => {
  const outcome = (
    status: PixelOutcome['status'],
    qsos: number,
    read: number,
    written: number,
    extra: Partial<PixelOutcome> = {},
  ): PixelOutcome => ({
    id: `p${qsos}`,
    status,
    qsos,
    bytesRead: read,
    bytesWritten: written,
    ...extra,
  });

  it('adds up outcomes and refused entries, and projects DR1 from the pixels converted (not skipped)', () => {
    const s = summarize({
      outcomes: [
        outcome('ok', 10, 1000, 100, { checksums: { verified: 3, absent: 1, unverified: 2 } }),
        outcome('skipped', 7, 0, 0),
        outcome('failed', 0, 50, 0, { failure: { message: 'boom', code: 'checksum', hdu: 4, keyword: 'DATASUM', file: 'coadd.fits' } }),
      ],
      planned: 3,
      rejected: [{ entry: '../etc', error: 'not a pixel' }],
      batches: 1,
      seconds: 3600,
      mode: 'direct',
      peak: { holders: 2, bytes: 3 << 20 },
    });
    expect(s).toMatchObject({
      pixels_total: 4,
      pixels_ok: 1,
      pixels_skipped: 1,
      pixels_failed: 2,
      qsos: 17,
      bytes_read: 1050,
      bytes_written: 100,
      // 2 pixels converted in one hour → 12,207 pixels in 6,103.5 hours.
      pixels_per_hour: 2,
      projected_dr1_hours: 6103.5,
      hdus_verified: 3,
      hdus_unverified: 2,
      hdus_without_checksum: 1,
      pixels_in_flight_max: 2,
      memory_reserved_max_mib: 3,
    });
    expect(s.failures).toEqual([
      { pixel: 'p0', error: 'boom', message: 'boom', code: 'checksum', hdu: 4, keyword: 'DATASUM', file: 'coadd.fits' },
      {
        pixel: '../etc',
        error: 'not a pixel',
        message: 'not a pixel',
        code: 'bad-manifest-entry',
        hdu: undefined,
        keyword: undefined,
        file: undefined,
      },
    ]);
    expect(s.pixels_not_started).toBeUndefined();
  });
});

describe('failureOf', () => {
  it('keeps the outer message and the code, HDU, keyword and file of the causes beneath it', () => {
    const fits = new FitsError('truncated', 'cut short', { hdu: 9, keyword: 'NAXIS2', file: '/x/coadd.fits' });
    const fusion = new FusionError('bad-file', 'camera R is missing', { cause: fits });
    expect(failureOf(fusion)).toEqual({ message: fusion.message, code: 'bad-file', hdu: 9, keyword: 'NAXIS2', file: '/x/coadd.fits' });
    const sys = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', path: '/out/x.parquet' });
    expect(failureOf(sys)).toEqual({ message: sys.message, code: 'ENOSPC', file: '/out/x.parquet' });
    expect(failureOf('plain')).toEqual({ message: 'plain' });
  });
});

describe('contracts between the packages the pipeline joins', () => {
  it('the emission-line columns tile-fusion reads are the ones spectra-parquet writes, in the same order', () => {
    // tile-fusion names the FITS columns (OII_FLUX); the fused record and the Parquet file use lower case.
    expect(FUSED_EMLINE.map((c) => c.toLowerCase())).toEqual([...PARQUET_EMLINE]);
  });
});
