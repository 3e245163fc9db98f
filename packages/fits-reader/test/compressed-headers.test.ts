/**
 * The image header of a tile-compressed HDU, card for card (keyword, value, comment, order) as
 * astropy shows it. Expected: test/fixtures/compressed-headers/astropy.json, astropy's
 * `hdul[i].header` for two files made to exercise its placement rules (CHECKSUM/DATASUM beside
 * ZHECKSUM/ZDATASUM, HISTORY, blank cards, a default EXTNAME) and for every compressed file of the
 * corpus (EXTEND after the table's own cards, as astropy appends it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openFits } from '../src/index.js';
import { CORPUS, reference } from './harness/corpus.js';

const DIR = join(import.meta.dirname, 'fixtures', 'compressed-headers');
const astropy: { files: Record<string, Record<string, Array<[string, unknown, string]>>> } = JSON.parse(
  readFileSync(join(DIR, 'astropy.json'), 'utf8'),
);

function same(ours: unknown, theirs: unknown): boolean {
  if (typeof theirs === 'number') return Number(ours) === theirs;
  if (typeof theirs === 'boolean') return ours === theirs;
  return String(ours ?? '') === theirs;
}

describe('reconstructed headers of compressed images follow astropy card for card', () => {
  it.each(Object.keys(astropy.files))('%s', async (file) => {
    const fits = await openFits(join(DIR, file));
    for (const [hdu, want] of Object.entries(astropy.files[file])) {
      const cards = (await fits.header(Number(hdu))).cards;
      expect(
        cards.map((c) => c.keyword),
        `HDU ${hdu} keywords`,
      ).toEqual(want.map((c) => c[0]));
      for (const [k, [keyword, value, comment]] of want.entries()) {
        expect(same(cards[k].value, value), `HDU ${hdu} ${keyword} value ${String(cards[k].value)} ≠ ${String(value)}`).toBe(true);
        expect(cards[k].comment ?? '', `HDU ${hdu} ${keyword} comment`).toBe(comment);
      }
    }
  });
});

describe('compressed tables', () => {
  it("the reconstructed table header carries CHECKSUM and DATASUM as astropy shows them (the stored HDU's)", async () => {
    const file = 'gen/fp_ztable_vla.fits.fz';
    // astropy 5.2.1 shows a compressed table as the stored BINTABLE: the corpus reference's cards.
    const shown = new Map<string, unknown>(reference(file).hdus[1].cards.map((c: [string, unknown]) => [c[0], c[1]]));
    const header = await (await openFits(join(CORPUS, file))).header(1);
    expect(header.get('ZTABLE')).toBeUndefined(); // it is the reconstructed header
    for (const k of ['CHECKSUM', 'DATASUM']) {
      expect(shown.get(k), k).toBeDefined();
      expect(header.get(k), k).toBe(shown.get(k));
    }
  });
});
