/**
 * An all-blank numeric field of an ASCII table reads as astropy reads it (zero, then TSCAL/TZERO),
 * and is null only when TNULLn is blank too. The expected values are astropy's reading of the same
 * files (test/fixtures/ascii-blank/astropy.json, written by make.py beside it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openFits } from '../src/index.js';

const DIR = join(import.meta.dirname, 'fixtures', 'ascii-blank');
const astropy = JSON.parse(readFileSync(join(DIR, 'astropy.json'), 'utf8'));

describe('ASCII tables: all-blank numeric fields', () => {
  it.each(['blank_plain.fits', 'blank_scaled.fits'])('%s: every column equals astropy', async (file) => {
    const t = await (await openFits(join(DIR, file))).readTable(1);
    for (const [name, want] of Object.entries<number[]>(astropy[file]))
      expect(Array.from(t.columns[name] as Float64Array), name).toEqual(want);
  });

  it('a blank field is not null unless TNULLn is blank: then only that row is', async () => {
    const plain = await (await openFits(join(DIR, 'blank_plain.fits'))).readTable(1);
    for (const [name, info] of Object.entries(plain.info)) expect(info.nulls?.includes(1) ?? false, name).toBe(false);
    const scaled = await (await openFits(join(DIR, 'blank_scaled.fits'))).readTable(1);
    expect(Array.from(scaled.info.I.nulls ?? [])).toEqual([0, 1, 0]);
    expect(scaled.info.F.nulls).toBeUndefined();
  });
});
