import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FitsError, openFits } from '../src/index.js';
import { compareFile } from './harness/compare.js';
import { CORPUS, corpusFiles, reference } from './harness/corpus.js';

/**
 * Every good corpus file is compared with its astropy-made reference: HDU list, every header card,
 * every image pixel and every table cell. HDUs whose codec is not implemented must fail with a clear
 * `unsupported` error, and the list of those is pinned below so it can only shrink.
 */
const KNOWN_UNSUPPORTED = new Set<string>([]);

const files = [...corpusFiles('gen'), ...corpusFiles('peer')];
const unsupportedSeen = new Set<string>();

describe('corpus: good files match their references', () => {
  it.each(files)('%s', async (file) => {
    const ref = reference(file);
    if (!ref.n_hdus) {
      // astropy cannot open it either; we must fail with a clear error, not return garbage.
      await expect(openFits(join(CORPUS, file))).rejects.toBeInstanceOf(FitsError);
      return;
    }
    const fits = await openFits(join(CORPUS, file));
    try {
      const { problems, unsupported } = await compareFile(fits, ref, file);
      for (const u of unsupported) unsupportedSeen.add(u);
      expect(problems.join('\n')).toBe('');
    } finally {
      await fits.close();
    }
  });

  it('only the pinned HDUs are unsupported', () => {
    expect([...unsupportedSeen].sort()).toEqual([...KNOWN_UNSUPPORTED].sort());
  });
});
