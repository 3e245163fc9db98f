/**
 * Row subsets of every tile-compressed image in the corpus equal the same rows of the whole image
 * (itself checked against astropy by corpus-good.test.ts): the last row alone, a middle row, and rows
 * in reverse order, for 1-D images too (whose only axis is the row axis).
 */

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openFits } from '../src/index.js';
import { CORPUS, corpusFiles } from './harness/corpus.js';

const files = [...corpusFiles('gen'), ...corpusFiles('peer')];

describe('compressed image row subsets', () => {
  it('equal the rows of the whole image', async () => {
    let checked = 0;
    for (const file of files) {
      const fits = await openFits(join(CORPUS, file)).catch(() => undefined);
      const hdus = await fits?.hdus().catch(() => undefined);
      if (!fits || !hdus) continue;
      for (const h of hdus.filter((x) => x.kind === 'compressed-image')) {
        const whole = await fits.readImage(h.index).catch(() => undefined);
        if (!whole?.shape.length || whole.shape[0] === 0) continue;
        const n = whole.shape[0];
        const per = whole.data.length / n;
        const rowsOf = (rows: number[]) =>
          rows.flatMap((r) => Array.from(whole.data.subarray(r * per, (r + 1) * per) as ArrayLike<unknown>));
        for (const rows of [[n - 1], [Math.floor(n / 2)], Array.from({ length: n }, (_, i) => n - 1 - i)]) {
          const part = await fits.readImage(h.index, { rows });
          expect(part.shape, `${file} HDU ${h.index} rows ${rows}`).toEqual([rows.length, ...whole.shape.slice(1)]);
          expect(Array.from(part.data as ArrayLike<unknown>), `${file} HDU ${h.index} rows ${rows}`).toEqual(rowsOf(rows));
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});
