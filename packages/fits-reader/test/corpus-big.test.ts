import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpRangeSource, openFits } from '../src/index.js';
import { compareFile } from './harness/compare.js';
import { type Ref, reference } from './harness/corpus.js';
import { sameValue } from './harness/encode.js';

/**
 * The corpus's 73 MB random-access file is not stored: its generator lives in the shared corpus
 * (beside the repo, as in CI). When it is there, the file is made, checked against its sha256 and
 * compared with the reference (whole-HDU hashes), and its sample pixels and rows are read through
 * HTTP range requests, fetching a small part of the file.
 */
const GENERATOR = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'fits-corpus', 'make_big.py');
const available = existsSync(GENERATOR) && existsSync('/usr/bin/python3');
const REF: Ref = reference('big/big_random_access.fits');

describe.runIf(available)('corpus: the big random-access file', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'fits-big-')), 'big_random_access.fits');
  let server: Server;
  let url = '';

  beforeAll(async () => {
    execFileSync('/usr/bin/python3', [GENERATOR, path], { stdio: 'ignore', timeout: 120_000 });
    server = createServer((req, res) => {
      const size = statSync(path).size;
      const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '');
      if (!m) return res.writeHead(200, { 'content-length': size }).end();
      const start = Number(m[1]);
      const end = Math.min(Number(m[2]), size - 1);
      res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': end - start + 1 });
      createReadStream(path, { start, end }).pipe(res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/big.fits`;
  }, 180_000);
  afterAll(() => new Promise<void>((r) => server?.close(() => r())));

  it('is the reference file and matches the reference everywhere', async () => {
    expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(REF.sha256);
    const fits = await openFits(path);
    const { problems, unsupported } = await compareFile(fits, REF, 'big/big_random_access.fits');
    await fits.close();
    expect(problems.join('\n')).toBe('');
    expect(unsupported).toEqual([]);
  }, 120_000);

  it('serves the sample pixels and rows through range reads', async () => {
    const src = await HttpRangeSource.open(url);
    const fits = await openFits(src);
    const nx = 5000;
    for (const p of REF.random_access_samples.pixels) {
      const im = await fits.readImage('SCI', { rows: [p.y] });
      expect(sameValue((im.data as Float32Array)[p.x], p.value, 'float32'), `pixel ${p.x},${p.y}`).toBe(true);
      // The same pixel through the other row form, and by its flat index in a two-row read from y − 1.
      const range = await fits.readImage('SCI', { rows: { start: p.y, end: p.y + 1 } });
      expect(sameValue((range.data as Float32Array)[p.x], p.value, 'float32'), `pixel ${p.x},${p.y} (range)`).toBe(true);
      if (p.y > 0) {
        const two = await fits.readImage('SCI', { rows: { start: p.y - 1, end: p.y + 1 } });
        expect(sameValue((two.data as Float32Array)[p.flat_index - (p.y - 1) * nx], p.value, 'float32'), `flat ${p.flat_index}`).toBe(true);
      }
    }
    const rows = REF.random_access_samples.rows.map((r: Ref) => r.row);
    const t = await fits.readTable('CAT', { rows });
    REF.random_access_samples.rows.forEach((r: Ref, i: number) => {
      expect(String((t.columns.ID as BigInt64Array)[i])).toBe(r.ID);
      expect((t.columns.RA as Float64Array)[i]).toBe(r.RA);
      expect(Array.from((t.columns.FLUX as Float32Array).subarray(5 * i, 5 * i + 5))).toEqual(r.FLUX);
      expect((t.columns.NAME as string[])[i]).toBe(r.NAME);
      expect(Array.from((t.columns.PIX as Int32Array[])[i])).toEqual(r.PIX);
    });
    // 16 image rows of 20 kB, 11 table rows and their heap cells, headers: a few percent at most.
    expect(src.stats.bytesFetched / src.size).toBeLessThan(0.05);
  }, 60_000);
});
