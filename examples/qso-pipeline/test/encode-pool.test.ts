import { encodeSpectraParquet, type SpectraBatch } from '@desi/spectra-parquet';
import { describe, expect, it } from 'vitest';
import { EncodePool } from '../src/encode-pool.js';

/** A batch of `n` spectra of 7927 pixels with values that differ per batch. */
function batch(n: number, seed: number): SpectraBatch {
  const npix = 7927;
  const wave = Float64Array.from({ length: npix }, (_, i) => 3600 + i * 0.8);
  const flux = Float32Array.from({ length: n * npix }, (_, i) => Math.sin(i * 0.01 + seed));
  return {
    pixel: { survey: 'main', program: 'dark', healpix: 1000 + seed },
    specprod: 'iron',
    camera: 'concat',
    precision: { mode: 'lossless' },
    count: n,
    targetId: BigInt64Array.from({ length: n }, (_, i) => BigInt(seed * 1000 + i)),
    ra: new Float64Array(n).fill(10),
    dec: new Float64Array(n).fill(-5),
    z: new Float64Array(n).fill(2),
    wavelength: wave,
    flux,
    ivar: flux.map((v) => v * v),
    mask: Int32Array.from({ length: n * npix }, (_, i) => (i % 97 === 0 ? 1 : 0)),
  };
}

/** The column data of a Parquet file given as its pieces: everything before the footer. */
function pages(parts: Uint8Array | Uint8Array[]): Buffer {
  const file = Buffer.concat(Array.isArray(parts) ? parts : [parts]);
  const footer = new DataView(file.buffer, file.byteOffset + file.length - 8, 4).getUint32(0, true);
  return Buffer.from(file.subarray(0, file.length - 8 - footer));
}

describe('EncodePool', () => {
  it('threads write the same column data as encoding in place, for many batches at once', async () => {
    const pool = new EncodePool(2);
    try {
      const expected = [3, 5, 1, 4, 2, 6].map((n, i) => encodeSpectraParquet(batch(n, i)));
      const got = await Promise.all([3, 5, 1, 4, 2, 6].map((n, i) => pool.encode(batch(n, i))));
      for (let i = 0; i < got.length; i++) {
        expect(Buffer.concat(got[i]).length).toBe(expected[i].length);
        expect(pages(got[i]).equals(pages(expected[i]))).toBe(true);
      }
    } finally {
      await pool.close();
    }
  });

  it('moves the spectra buffers to the thread instead of copying them', async () => {
    const pool = new EncodePool(1);
    try {
      const b = batch(4, 9);
      await pool.encode(b);
      expect(b.flux.byteLength).toBe(0); // detached: transferred
      expect(b.count).toBe(4);
    } finally {
      await pool.close();
    }
  });

  it('reports a batch that cannot be encoded as a failure of that batch only', async () => {
    const pool = new EncodePool(1);
    try {
      const bad = { ...batch(2, 1), flux: new Float32Array(5) };
      await expect(pool.encode(bad)).rejects.toThrow(/Parquet encoding failed: .*count × wavelength\.length/);
      expect(Buffer.concat(await pool.encode(batch(2, 2))).length).toBeGreaterThan(1000);
    } finally {
      await pool.close();
    }
  });

  it('with 0 threads encodes in the calling thread', async () => {
    const pool = new EncodePool(0);
    const b = batch(2, 3);
    const bytes = await pool.encode(b);
    expect(pages(bytes).equals(pages(encodeSpectraParquet(batch(2, 3))))).toBe(true);
    expect(b.flux.byteLength).toBeGreaterThan(0);
    await pool.close();
  });
});
