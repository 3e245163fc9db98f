/**
 * TDIMn against the repeat count (FITS 4.0 §7.3.2: the product of the TDIM axes may be smaller than
 * the repeat, never larger). astropy's answers, checked when this test was written: a smaller TDIM
 * shapes the first elements of each cell and ignores the rest; a larger one is refused here (astropy
 * ignores it with a warning). Either way the cell shape and the values returned agree. The expected
 * values come from the corpus reference (astropy's reading of the unedited file).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withCard } from '../fuzz/fits-bytes.js';
import { FitsError, openFits } from '../src/index.js';
import { reference } from './harness/corpus.js';

const FILE = 'gen/ap_bt_tdim.fits';
const original = new Uint8Array(readFileSync(join(import.meta.dirname, 'fixtures', 'corpus', FILE)));
const ref = reference(FILE).hdus[1].table;
const refColumn = (name: string) => ref.columns.find((c: { name: string }) => c.name === name);

function edit(keyword: string, value: string): Uint8Array {
  const out = withCard(original, 1, keyword, value);
  if (!out) throw new Error(`no ${keyword}`);
  return out;
}

describe('TDIM smaller than, equal to and larger than the repeat count', () => {
  it("6E with TDIM (2,2): cells of shape [2,2] holding each row's first 4 values", async () => {
    const t = await (await openFits(edit('TDIM1', "'(2,2)'"))).readTable(1, { columns: ['E23'] });
    expect(t.info.E23.cellShape).toEqual([2, 2]);
    const all: number[] = refColumn('E23').data.values; // 4 rows × 6
    const want = Array.from({ length: ref.nrows }, (_, r) => all.slice(r * 6, r * 6 + 4)).flat();
    expect(Array.from(t.columns.E23 as Float32Array)).toEqual(want);
  });

  it('24A with TDIM (8,2): two strings of 8 per row (the third ignored)', async () => {
    const t = await (await openFits(edit('TDIM3', "'(8,2)'"))).readTable(1, { columns: ['S83'] });
    expect(t.info.S83.cellShape).toEqual([2]);
    expect(t.info.S83.itemsize).toBe(8);
    const all: string[] = refColumn('S83').data.values; // 4 rows × 3 strings
    const want = Array.from({ length: ref.nrows }, (_, r) => all.slice(r * 3, r * 3 + 2)).flat();
    expect(t.columns.S83).toEqual(want);
  });

  it.each([
    ['TDIM1', "'(4,2)'", 'E23'],
    ['TDIM3', "'(8,4)'", 'S83'],
    ['TDIM4', "'(1000000,1000000)'", 'D22'],
  ])('%s = %s holds more than the repeat: a FitsError naming the keyword', async (keyword, value) => {
    const e = await (await openFits(edit(keyword, value))).readTable(1).catch((x) => x);
    expect(e).toBeInstanceOf(FitsError);
    expect([e.code, e.keyword]).toEqual(['bad-keyword', keyword]);
  });

  it('every column of the unedited file still has as many values per row as its cell shape says', async () => {
    const t = await (await openFits(original)).readTable(1);
    for (const [name, info] of Object.entries(t.info)) {
      const per = info.cellShape.reduce((a, b) => a * b, 1) * (info.dtype.startsWith('complex') ? 2 : 1);
      const got = (t.columns[name] as ArrayLike<unknown>).length;
      expect(got, name).toBe(per * t.numRows);
    }
  });
});
