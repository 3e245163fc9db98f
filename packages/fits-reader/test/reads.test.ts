import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BufferSource, FitsError, GzipSource, HttpRangeSource, openFits } from '../src/index.js';
import { nodeInflate } from '../src/node.js';
import { writeFits } from '../src/writer.js';
import { CORPUS } from './harness/corpus.js';

// A table large enough to span many read chunks, with vector, string, complex-free numeric and 64-bit columns.
const N = 6000;
const ids = BigInt64Array.from({ length: N }, (_, i) => 39627788448434509n + BigInt(i) * 7n);
const vec = Float32Array.from({ length: N * 5 }, (_, i) => i * 0.5);
const cube = Int16Array.from({ length: N * 6 }, (_, i) => (i % 30000) - 15000);
const names = Array.from({ length: N }, (_, i) => ['QSO', 'GALAXY', 'STAR'][i % 3] + (i % 7 === 0 ? `_${i}` : ''));
const mask = Uint32Array.from({ length: N }, (_, i) => (i * 2654435761) >>> 0);
const image = Float32Array.from({ length: 40 * 300 }, (_, i) => Math.sin(i));
const bytes = writeFits([
  { type: 'image', data: image, shape: [40, 300] },
  {
    type: 'table',
    name: 'BIG',
    numRows: N,
    columns: [
      { name: 'ID', data: ids },
      { name: 'VEC', data: vec, cellShape: [5] },
      { name: 'CUBE', data: cube, cellShape: [3, 2] },
      { name: 'NAME', data: names, width: 12 },
      { name: 'MASK', data: mask },
    ],
  },
]);

const wide = writeFits([
  { type: 'image', data: new Uint8Array(0), shape: [0] },
  { type: 'image', name: 'FLUX', data: Float32Array.from({ length: 2000 * 4000 }, (_, i) => i), shape: [2000, 4000] },
]);

function rowsOf<T>(all: ArrayLike<T>, per: number, rows: number[]): T[] {
  return rows.flatMap((r) => Array.from({ length: per }, (_, j) => all[r * per + j]));
}

describe('table reads', () => {
  it('whole table across many chunks', async () => {
    const t = await (await openFits(bytes)).readTable('BIG');
    expect(t.numRows).toBe(N);
    expect(Array.from(t.columns.ID as BigInt64Array)).toEqual(Array.from(ids));
    expect(Array.from(t.columns.VEC as Float32Array)).toEqual(Array.from(vec));
    expect(Array.from(t.columns.CUBE as Int16Array)).toEqual(Array.from(cube));
    expect(t.columns.NAME).toEqual(names);
    expect(Array.from(t.columns.MASK as Uint32Array)).toEqual(Array.from(mask));
  });

  it.each([
    ['a range', { start: 1234, end: 4321 }],
    ['sorted scattered rows', [0, 1, 2, 500, 501, 2999, 5998, 5999]],
    ['unsorted rows with duplicates', [5999, 3, 3, 4000, 0, 4000, 17]],
  ])('row subset: %s, with a column subset', async (_, rows) => {
    const fits = await openFits(bytes);
    const t = await fits.readTable('big', { rows, columns: ['vec', 'NAME', 'Cube', 'ID'] });
    const list = Array.isArray(rows) ? rows : Array.from({ length: rows.end - rows.start }, (_, i) => rows.start + i);
    expect(Object.keys(t.columns)).toEqual(['VEC', 'NAME', 'CUBE', 'ID']);
    expect(t.numRows).toBe(list.length);
    expect(Array.from(t.columns.VEC as Float32Array)).toEqual(rowsOf(vec, 5, list));
    expect(Array.from(t.columns.CUBE as Int16Array)).toEqual(rowsOf(cube, 6, list));
    expect(t.columns.NAME).toEqual(rowsOf(names, 1, list));
    expect(Array.from(t.columns.ID as BigInt64Array)).toEqual(rowsOf(ids, 1, list));
  });

  it('rejects unknown columns and rows out of range with a FitsError', async () => {
    const fits = await openFits(bytes);
    await expect(fits.readTable('BIG', { columns: ['NOPE'] })).rejects.toMatchObject({ code: 'not-found', column: 'NOPE' });
    await expect(fits.readTable('BIG', { rows: [N] })).rejects.toMatchObject({ code: 'bad-argument', row: N });
    await expect(fits.readImage('BIG')).rejects.toBeInstanceOf(FitsError);
  });
});

describe('image reads', () => {
  it('rows of the slowest axis, in the order asked', async () => {
    const fits = await openFits(bytes);
    const rows = [39, 0, 7, 7, 20];
    const im = await fits.readImage(0, { rows });
    expect(im.shape).toEqual([5, 300]);
    expect(Array.from(im.data as Float32Array)).toEqual(rowsOf(image, 300, rows));
    const range = await fits.readImage(0, { rows: { start: 10, end: 13 } });
    expect(Array.from(range.data as Float32Array)).toEqual(rowsOf(image, 300, [10, 11, 12]));
  });

  it.each(['gen/fp_rice_i16_tiles.fits.fz', 'gen/ap_comp_rice_3d.fits', 'gen/fp_quant_f32_dither2.fits.fz', 'gen/fi_comp_gzip2_i32.fits'])(
    'compressed image %s: row subsets decode only their tiles and equal the whole read',
    async (file) => {
      const fits = await openFits(join(CORPUS, file));
      const whole = await fits.readImage(1);
      const n = whole.shape[0];
      const per = whole.data.length / n;
      const rows = [n - 1, 0, Math.floor(n / 2), Math.floor(n / 2)];
      const part = await fits.readImage(1, { rows });
      expect(part.shape).toEqual([rows.length, ...whole.shape.slice(1)]);
      expect(Array.from(part.data as ArrayLike<number>)).toEqual(rowsOf(whole.data as ArrayLike<number>, per, rows));
      await fits.close();
    },
  );
});

describe('byte sources', () => {
  let server: Server;
  let base = '';
  let ignoreRange = false;
  const served = new Map<string, Uint8Array>();
  beforeAll(async () => {
    served.set('/big.fits', bytes);
    served.set('/sample.fits', readFileSync(join(import.meta.dirname, 'fixtures', 'sample', 'desi-like-coadd.fits')));
    served.set('/wide.fits', wide);
    server = createServer((req, res) => {
      const body = served.get(req.url ?? '');
      if (!body) return res.writeHead(404).end();
      const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '');
      if (!m || ignoreRange) return res.writeHead(200, { 'content-length': body.length }).end(Buffer.from(body));
      const start = Number(m[1]);
      const end = Math.min(Number(m[2]), body.length - 1);
      res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${body.length}`, 'content-length': end - start + 1 });
      res.end(Buffer.from(body.subarray(start, end + 1)));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('HTTP range reads give the same values and fetch only what scattered rows need', async () => {
    const src = await HttpRangeSource.open(`${base}/sample.fits`);
    const fits = await openFits(src);
    const local = await openFits(join(import.meta.dirname, 'fixtures', 'sample', 'desi-like-coadd.fits'));
    for (const ext of ['B_FLUX', 'R_IVAR', 'Z_MASK']) {
      const a = await fits.readImage(ext, { rows: [1, 4] });
      const b = await local.readImage(ext, { rows: [1, 4] });
      expect(Array.from(a.data as ArrayLike<number>)).toEqual(Array.from(b.data as ArrayLike<number>));
    }
    expect((await fits.readTable('FIBERMAP')).columns.TARGETID).toEqual((await local.readTable('FIBERMAP')).columns.TARGETID);
    expect(src.stats.requests).toBeGreaterThan(0);
  });

  it('HTTP: scattered rows of a large image fetch about their own bytes, not the file', async () => {
    const src = await HttpRangeSource.open(`${base}/wide.fits`);
    const fits = await openFits(src);
    const rows = [3, 700, 1501, 1999];
    const im = await fits.readImage(1, { rows });
    expect(Array.from(im.data.subarray(0, 4) as Float32Array)).toEqual([3 * 4000, 3 * 4000 + 1, 3 * 4000 + 2, 3 * 4000 + 3]);
    const needed = rows.length * 4000 * 4;
    // Headers (64 KiB probe) plus the rows: a small fraction of the 32 MB file.
    expect(src.stats.bytesFetched).toBeLessThan(needed + 3 * (64 << 10));
    expect(src.stats.bytesFetched / src.size).toBeLessThan(0.02);
  });

  it('HTTP: refuses a server that ignores Range', async () => {
    ignoreRange = true;
    try {
      await expect(HttpRangeSource.open(`${base}/big.fits`)).rejects.toMatchObject({ code: 'unsupported' });
    } finally {
      ignoreRange = false;
    }
  });

  it('HTTP: openFits takes a URL string', async () => {
    const fits = await openFits(`${base}/big.fits`);
    const t = await fits.readTable('BIG', { rows: [5998, 2], columns: ['NAME'] });
    expect(t.columns.NAME).toEqual([names[5998], names[2]]);
  });

  it('whole-file gzip: detected by magic, equal values, tiny cache still correct', async () => {
    const gz = gzipSync(bytes);
    const plain = await (await openFits(bytes)).readTable('BIG');
    for (const cacheBytes of [undefined, 1 << 20]) {
      const src = await GzipSource.open(new BufferSource(gz), { cacheBytes, inflate: nodeInflate });
      const t = await (await openFits(src)).readTable('BIG', { rows: [N - 1, 0] });
      expect(t.columns.NAME).toEqual([plain.columns.NAME[N - 1], plain.columns.NAME[0]]);
    }
    // The default (web) inflater gives the same bytes.
    const web = await openFits(gz);
    expect((await web.readTable('BIG')).columns.NAME).toEqual(plain.columns.NAME);
  });

  it('gzip: a corrupted stream is an error, never silent garbage', async () => {
    const gz = gzipSync(bytes);
    gz[gz.length - 6] ^= 0xff; // CRC
    await expect(openFits(gz)).rejects.toMatchObject({ code: 'bad-gzip' });
  });

  it('Blob input', async () => {
    const fits = await openFits(new Blob([bytes as Uint8Array<ArrayBuffer>]));
    expect((await fits.hdus()).map((h) => h.name ?? null)).toEqual([null, 'BIG']);
  });
});

describe('HDUs that are not images or tables', () => {
  it('random groups: readImage says unsupported and points at readGroups', async () => {
    const fits = await openFits(join(CORPUS, 'gen', 'hand_random_groups_scaled.fits'));
    await expect(fits.readImage(0)).rejects.toMatchObject({ code: 'unsupported', message: expect.stringMatching(/readGroups/) });
    const g = await fits.readGroups(0);
    expect(g.count).toBe(4);
    expect(g.parameters.map((p) => p.name)).toEqual(['UU', 'VV', 'DATE']);
  });
});

describe('an unknown XTENSION', () => {
  it('is listed, skipped by its size, readable with readRaw, and reads fail clearly', async () => {
    const bytes = writeFits([
      { type: 'image', data: new Uint8Array(0), shape: [0] },
      { type: 'image', name: 'ODD', data: Int16Array.from([1, 2, 3, 4, 5]), shape: [5] },
      { type: 'image', name: 'AFTER', data: Float32Array.from([9]), shape: [1] },
    ]);
    const text = new TextDecoder('latin1').decode(bytes);
    const at = text.indexOf("XTENSION= 'IMAGE   '", 2880);
    bytes.set(new TextEncoder().encode("XTENSION= 'FOOBAR  '"), at);
    const fits = await openFits(bytes);
    const hdus = await fits.hdus();
    expect(hdus.map((h) => h.kind)).toEqual(['primary', 'unknown', 'image']);
    expect(Array.from(await fits.readRaw('ODD'))).toEqual([0, 1, 0, 2, 0, 3, 0, 4, 0, 5]);
    await expect(fits.readImage('ODD')).rejects.toMatchObject({ code: 'unsupported', keyword: 'XTENSION' });
    await expect(fits.readTable('ODD')).rejects.toMatchObject({ code: 'unsupported' });
    expect(Array.from((await fits.readImage('AFTER')).data as Float32Array)).toEqual([9]);
  });
});
