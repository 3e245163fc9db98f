/**
 * The fuzzer in the suite: a bounded, seeded run over the repo's corpus (and ../shared/fits-corpus
 * when it is there) must end with every mutant either read or refused with a FitsError; and the
 * fuzzer itself must see the failures it exists to find (a probe with planted faults).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSeeds } from '../fuzz/corpus.js';
import { declaredDataSize, hduSpans } from '../fuzz/fits-bytes.js';
import { mutant } from '../fuzz/mutate.js';
import { Random } from '../fuzz/random.js';
import { fuzz } from '../fuzz/run.js';
import { openFits } from '../src/index.js';

const MUTANTS = Number(process.env.FUZZ_MUTANTS ?? 2000);

describe('fuzzer', () => {
  it(`${MUTANTS} seeded mutants: no defect, hang, crash or over-memory; each worker under 256 MiB`, { timeout: 180_000 }, async () => {
    const report = await fuzz({ seed: 20261204, mutants: MUTANTS, workers: 2, timeoutMs: 5000, memoryMb: 512 });
    const summary = report.findings.map(
      (f) => `${f.class} ×${f.count} mutant ${f.index} (${f.seedFile}: ${f.steps.join('; ')}): ${f.message}`,
    );
    expect(summary).toEqual([]);
    expect(report.counts.ok + report.counts['fits-error']).toBe(MUTANTS);
    // Both outcomes occur in quantity: the mutants are neither all harmless nor all rejected at open.
    expect(report.counts.ok).toBeGreaterThan(MUTANTS / 10);
    expect(report.counts['fits-error']).toBeGreaterThan(MUTANTS / 10);
    expect(report.peakRssMb).toBeLessThanOrEqual(256);
  });

  it('classes planted faults as defect, hang, over-memory and crash, and confirms each in a fresh process', {
    timeout: 120_000,
  }, async () => {
    const report = await fuzz({
      seed: 5,
      mutants: 20,
      workers: 2,
      timeoutMs: 1500,
      memoryMb: 400,
      probeModule: join(import.meta.dirname, 'harness', 'faulty-probe.ts'),
    });
    for (const c of ['ok', 'defect', 'hang', 'over-memory', 'crash'] as const) expect(report.counts[c], c).toBeGreaterThan(0);
    const classes = new Set(report.findings.map((f) => f.class));
    expect([...classes].sort()).toEqual(['crash', 'defect', 'hang', 'over-memory']);
    expect(report.findings.every((f) => f.confirmed)).toBe(true);
    expect(report.findings.find((f) => f.class === 'defect')?.message).toMatch(/TypeError/);
  });

  it('a mutant is a pure function of (seed, index)', () => {
    const seeds = loadSeeds();
    for (let i = 0; i < 50; i++) {
      const a = mutant(seeds, new Random(9, i));
      const b = mutant(seeds, new Random(9, i));
      expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
      expect(a.steps).toEqual(b.steps);
    }
    const other = mutant(seeds, new Random(10, 0));
    expect(other.steps).not.toEqual(mutant(seeds, new Random(9, 0)).steps);
  });

  it("the mutator's own reading of HDU sizes agrees with the reader on every corpus file", async () => {
    let compared = 0;
    for (const seed of loadSeeds()) {
      const fits = await openFits(seed.bytes).catch(() => undefined);
      // Gzip streams and the odd non-FITS file among the peers' test data are only fuzzed as bytes.
      if (!fits || seed.bytes[0] === 0x1f) continue;
      const spans = hduSpans(seed.bytes);
      const hdus = await fits.hdus();
      expect(spans.length, seed.name).toBe(hdus.length);
      for (const h of hdus) {
        expect([spans[h.index].dataOffset, declaredDataSize(seed.bytes, spans[h.index].cards)], `${seed.name} HDU ${h.index}`).toEqual([
          h.dataOffset,
          h.dataSize,
        ]);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(200);
  });
});
