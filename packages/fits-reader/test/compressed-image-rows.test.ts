/**
 * Row subsets of every tile-compressed image in the corpus: the last row alone, a middle row, and rows
 * in reverse order, for 1-D images too (whose only axis is the row axis). Each is compared with the
 * same rows of astropy's values (the corpus reference) where the reference lists them, and with the
 * same rows of the whole image (itself checked against astropy by corpus-good.test.ts) otherwise.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openFits } from '../src/index.js';
import { CORPUS, corpusFiles, type Ref, reference } from './harness/corpus.js';
import { compareBlock, flatten, type RefValue } from './harness/encode.js';

const files = [...corpusFiles('gen'), ...corpusFiles('peer')];

describe('compressed image row subsets', () => {
  it('equal the same rows of astropy values (or of the whole image where the reference gives only a hash)', async () => {
    let checked = 0;
    let byAstropy = 0;
    for (const file of files) {
      const fits = await openFits(join(CORPUS, file)).catch(() => undefined);
      const hdus = await fits?.hdus().catch(() => undefined);
      if (!fits || !hdus) continue;
      const refHdus: Ref[] = (() => {
        try {
          return reference(file).hdus;
        } catch {
          return [];
        }
      })();
      for (const h of hdus.filter((x) => x.kind === 'compressed-image')) {
        const whole = await fits.readImage(h.index).catch(() => undefined);
        if (!whole?.shape.length || whole.shape[0] === 0) continue;
        const n = whole.shape[0];
        const per = whole.data.length / n;
        const refImage = refHdus.find((r) => r.index === h.index)?.image;
        const values: RefValue[] | undefined = refImage?.data?.values;
        for (const rows of [[n - 1], [Math.floor(n / 2)], Array.from({ length: n }, (_, i) => n - 1 - i)]) {
          const at = `${file} HDU ${h.index} rows ${rows}`;
          const part = await fits.readImage(h.index, { rows });
          expect(part.shape, at).toEqual([rows.length, ...whole.shape.slice(1)]);
          const wholeRows = rows.flatMap((r) => Array.from(whole.data.subarray(r * per, (r + 1) * per) as ArrayLike<unknown>));
          expect(Array.from(part.data as ArrayLike<unknown>), at).toEqual(wholeRows);
          if (values) {
            // astropy's values of those rows, compared as corpus-good compares whole images.
            const block = { n: rows.length * per, values: rows.flatMap((r) => values.slice(r * per, (r + 1) * per)) };
            expect(compareBlock(flatten(part.data, refImage.dtype), block, refImage.dtype), at).toBeUndefined();
          }
        }
        checked++;
        if (values) byAstropy++;
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(byAstropy).toBeGreaterThan(15);
  });
});
