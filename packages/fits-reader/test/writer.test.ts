import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openFits } from '../src/index.js';
import { type HduInput, writeFits, writeFitsFile } from '../src/writer.js';

const dir = mkdtempSync(join(tmpdir(), 'fits-writer-'));
const PY = '/usr/bin/python3';

function sampleHdus(): HduInput[] {
  const n = 5;
  return [
    {
      type: 'image',
      data: new Float32Array([1.5, Number.NaN, -0, 3.4028234663852886e38, 1e-45, 2, 3, 4, 5, 6, 7, 8]),
      shape: [3, 4],
      cards: [{ keyword: 'OBSERVER', value: "O'Brien" }],
    },
    { type: 'image', name: 'U16', data: new Uint16Array([0, 1, 32767, 32768, 65535, 42]), shape: [2, 3] },
    { type: 'image', name: 'I8', data: new Int8Array([-128, -1, 0, 1, 127, 5]), shape: [6] },
    { type: 'image', name: 'U64', data: new BigUint64Array([0n, 1n, 2n ** 63n, 2n ** 64n - 1n]), shape: [2, 2] },
    { type: 'image', name: 'F64', data: new Float64Array([Math.PI, -1e300, 5e-324]), shape: [3] },
    {
      type: 'table',
      name: 'CAT',
      numRows: n,
      columns: [
        { name: 'TARGETID', data: new BigInt64Array([1n, -2n, 2n ** 62n, 0n, 39627788448434509n]) },
        { name: 'U64', data: new BigUint64Array([0n, 1n, 2n ** 64n - 1n, 2n ** 63n, 5n]) },
        { name: 'Z', data: new Float64Array([0.1, 1.2, 2.3, Number.NaN, -0]) },
        { name: 'FLUX', data: new Float32Array(15).map((_, i) => i / 7), cellShape: [3] },
        { name: 'CUBE', data: new Int16Array(30).map((_, i) => i - 15), cellShape: [3, 2] },
        { name: 'MASK', data: new Uint32Array([0, 1, 2 ** 31, 2 ** 32 - 1, 7]) },
        { name: 'U16', data: new Uint16Array([0, 1, 65535, 32768, 9]) },
        { name: 'I8', data: new Int8Array([-128, 127, 0, -1, 3]) },
        { name: 'B', data: new Uint8Array([0, 255, 1, 2, 3]) },
        { name: 'J', data: new Int32Array([-(2 ** 31), 2 ** 31 - 1, 0, 1, -1]) },
        { name: 'SPECTYPE', data: ['QSO', 'GALAXY', 'STAR', '', "it's"], width: 6 },
        { name: 'NAMES', data: Array.from({ length: 10 }, (_, i) => `n${i}`), cellShape: [2], width: 4 },
        { name: 'OK', data: [true, false, null, true, false] },
      ],
    },
  ];
}

async function roundTrip(bytes: Uint8Array) {
  const fits = await openFits(bytes);
  const hdus = await fits.hdus();
  return { fits, hdus };
}

describe('writer', () => {
  it('reads back every image type and table column exactly', async () => {
    const input = sampleHdus();
    const { fits, hdus } = await roundTrip(writeFits(input));
    expect(hdus.map((h) => h.kind)).toEqual(['primary', 'image', 'image', 'image', 'image', 'bintable']);
    for (let i = 0; i < 5; i++) {
      const src = input[i] as Extract<HduInput, { type: 'image' }>;
      const im = await fits.readImage(i);
      expect(im.shape).toEqual(src.shape);
      expect(im.data.constructor).toBe(src.data.constructor);
      expect(Array.from(im.data as ArrayLike<unknown>)).toEqual(Array.from(src.data as ArrayLike<unknown>));
    }
    expect((await fits.header(0)).get('OBSERVER')).toBe("O'Brien");
    const t = await fits.readTable('CAT');
    const table = input[5] as Extract<HduInput, { type: 'table' }>;
    for (const c of table.columns) {
      const got = t.columns[c.name];
      expect(Array.from(got as ArrayLike<unknown>), c.name).toEqual(Array.from(c.data as ArrayLike<unknown>));
      if (!Array.isArray(c.data)) expect(got.constructor, c.name).toBe(c.data.constructor);
    }
    expect(t.info.CUBE.cellShape).toEqual([3, 2]);
    expect(t.info.NAMES.cellShape).toEqual([2]);
    for (let i = 0; i < hdus.length; i++) expect(await fits.verifyChecksum(i)).toEqual({ checksum: 'ok', datasum: 'ok' });
    // Summed without reading the padding (taken as the standard's zeros), data units of any length agree.
    for (let i = 0; i < hdus.length; i++)
      expect(await fits.verifyChecksum(i, { standardPadding: true })).toEqual({ checksum: 'ok', datasum: 'ok' });
  });

  it('standardPadding finds the same damage, and needs no byte of the padding', async () => {
    const bytes = writeFits(sampleHdus());
    const info = (await (await openFits(bytes)).hdus())[5];
    expect(info.dataSize % 4).not.toBe(0); // a tail shorter than a word is summed as zero-filled
    const bad = new Uint8Array(bytes);
    bad[info.dataOffset + info.dataSize - 1] ^= 0x01; // the last data byte
    const damaged = await openFits(bad);
    expect(await damaged.verifyChecksum(5)).toMatchObject({ datasum: 'bad' });
    expect(await damaged.verifyChecksum(5, { standardPadding: true })).toMatchObject({ datasum: 'bad' });
    // Once the file is open, a source that refuses the padding's bytes: the check still completes.
    const end = info.dataOffset + info.dataSize;
    let strict = false;
    const noPadding = {
      size: bytes.length,
      read: async (o: number, l: number) => {
        if (strict && o + l > end && o < Math.ceil(end / 2880) * 2880) throw new Error(`padding read at ${o}+${l}`);
        return bytes.subarray(o, Math.min(bytes.length, o + l));
      },
    };
    const f = await openFits(noPadding);
    await f.hdus();
    strict = true;
    expect(await f.verifyChecksum(5, { standardPadding: true })).toEqual({ checksum: 'ok', datasum: 'ok' });
    await expect(f.verifyChecksum(5)).rejects.toThrow(/padding read/);
  });

  it('writes atomically to a file', async () => {
    const path = join(dir, 'atomic.fits');
    await writeFitsFile(path, sampleHdus());
    const fits = await openFits(path);
    expect((await fits.hdus()).length).toBe(6);
    await fits.close();
  });

  it.runIf(existsSync('/usr/bin/fitsverify'))('passes fitsverify', () => {
    const path = join(dir, 'verify.fits');
    writeFileSync(path, writeFits(sampleHdus()));
    const out = execFileSync('/usr/bin/fitsverify', ['-q', '-e', path], { encoding: 'utf8' });
    expect(out).toMatch(/verification OK/);
  });

  it('is read back equal by astropy', () => {
    const path = join(dir, 'astropy.fits');
    writeFileSync(path, writeFits(sampleHdus()));
    const script = `
import json, sys, numpy as np
from astropy.io import fits
out = {}
# Checksums first: astropy re-serialises data it has converted (e.g. null logicals), so verify before reading.
with fits.open(sys.argv[1]) as h:
    out['checksums'] = [bool(hdu.verify_checksum() == 1 and hdu.verify_datasum() == 1) for hdu in h]
with fits.open(sys.argv[1]) as h:
    for i, hdu in enumerate(h):
        if hdu.data is None: continue
        if isinstance(hdu, fits.BinTableHDU):
            out[str(i)] = {c.name: [str(v) for v in np.ravel(hdu.data[c.name])] for c in hdu.columns}
        else:
            out[str(i)] = [str(v) for v in np.ravel(hdu.data)]
print(json.dumps(out))
`;
    const res = JSON.parse(execFileSync(PY, ['-c', script, path], { encoding: 'utf8' }));
    expect(res.checksums.every(Boolean)).toBe(true);
    const input = sampleHdus();
    expect(res['1']).toEqual(['0', '1', '32767', '32768', '65535', '42']);
    expect(res['3']).toEqual(['0', '1', '9223372036854775808', '18446744073709551615']);
    const table = input[5] as Extract<HduInput, { type: 'table' }>;
    expect(res['5'].TARGETID).toEqual(Array.from(table.columns[0].data as BigInt64Array, String));
    expect(res['5'].MASK).toEqual(['0', '1', '2147483648', '4294967295', '7']);
    expect(res['5'].SPECTYPE).toEqual(['QSO', 'GALAXY', 'STAR', '', "it's"]);
  });
});

describe('writer properties', () => {
  const keyword = fc
    .stringMatching(/^[A-Z][A-Z0-9_-]{0,7}$/)
    .filter(
      (k) =>
        ![
          'SIMPLE',
          'BITPIX',
          'NAXIS',
          'EXTEND',
          'END',
          'CONTINUE',
          'COMMENT',
          'HISTORY',
          'CHECKSUM',
          'DATASUM',
          'EXTNAME',
          'BSCALE',
          'BZERO',
          'BLANK',
          'HIERARCH',
        ].includes(k) && !/^NAXIS\d/.test(k),
    );
  const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 200 });
  const value = fc.oneof(
    printable.map((s) => s.replace(/ +$/, '')),
    fc.integer(),
    fc
      .bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })
      .filter((b) => b > BigInt(Number.MAX_SAFE_INTEGER) || b < -BigInt(Number.MAX_SAFE_INTEGER)),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
    fc.boolean(),
  );

  it('header cards round-trip', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.record({ keyword, value }), { selector: (c) => c.keyword, maxLength: 30 }), async (cards) => {
        const bytes = writeFits([{ type: 'image', data: new Uint8Array(0), shape: [0], cards }]);
        const h = await (await openFits(bytes)).header(0);
        for (const c of cards) expect(h.get(c.keyword)).toEqual(c.value);
      }),
      { numRuns: 200 },
    );
  });

  it('table columns round-trip', async () => {
    const rows = fc.integer({ min: 0, max: 40 });
    await fc.assert(
      fc.asyncProperty(rows, fc.integer({ min: 1, max: 4 }), fc.integer(), async (n, per, seed) => {
        let s = seed >>> 0;
        const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
        const f64 = Float64Array.from({ length: n * per }, () => (rnd() - 0.5) * 1e6);
        const i64 = BigInt64Array.from({ length: n }, () => BigInt(Math.floor(rnd() * 2 ** 53)) * 1024n - 2n ** 62n);
        const u32 = Uint32Array.from({ length: n * per }, () => Math.floor(rnd() * 2 ** 32));
        const str = Array.from({ length: n }, () => Math.floor(rnd() * 1e9).toString(36));
        const bytes = writeFits([
          { type: 'image', data: new Uint8Array(0), shape: [0] },
          {
            type: 'table',
            numRows: n,
            columns: [
              { name: 'A', data: f64, cellShape: per > 1 ? [per] : [] },
              { name: 'B', data: i64 },
              { name: 'C', data: u32, cellShape: per > 1 ? [per] : [] },
              { name: 'S', data: str, width: 8 },
            ],
          },
        ]);
        const t = await (await openFits(bytes)).readTable(1);
        expect(t.numRows).toBe(n);
        expect(Array.from(t.columns.A as Float64Array)).toEqual(Array.from(f64));
        expect(Array.from(t.columns.B as BigInt64Array)).toEqual(Array.from(i64));
        expect(Array.from(t.columns.C as Uint32Array)).toEqual(Array.from(u32));
        expect(t.columns.S).toEqual(str);
      }),
      { numRuns: 100 },
    );
  });
});
