/**
 * Spectra by TARGETID: an index of the fixture pixels, then readTargets for targets of any SPECTYPE,
 * compared value by value with fusePixel's record for the same targets (which is itself checked
 * against the reference converter), for both camera modes and every precision.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type FusedPixel,
  fileName,
  fusePixel,
  indexPixel,
  lookupFromRows,
  pixelDir,
  readTargets,
  type TargetIndexRow,
} from '../src/index.js';
import { localPixelSources } from '../src/node.js';
import { compare, expected, HEALPIX, PIXELS } from './reference.js';

async function indexAll(root = HEALPIX): Promise<TargetIndexRow[]> {
  const rows: TargetIndexRow[] = [];
  for (const p of PIXELS) {
    const dir = pixelDir(p);
    const { sources } = localPixelSources(join(root, dir));
    const emline = join(dir, fileName('emline', p));
    const has = readdirSync(join(root, dir)).includes(fileName('emline', p));
    const r = await indexPixel(
      { redrock: sources.redrock as string, coadd: sources.coadd as string },
      { pixel: p, files: { coadd: join(dir, fileName('coadd', p)), emline: has ? emline : undefined } },
    );
    expect(r.warnings).toEqual([]);
    rows.push(...r.rows);
  }
  return rows;
}

const FIELDS = [
  'targetId',
  'ra',
  'dec',
  'z',
  'zerr',
  'zwarn',
  'spectype',
  'subtype',
  'deltachi2',
  'rrChi2',
  'wavelength',
  'flux',
  'ivar',
  'mask',
] as const;

function sameRows(got: FusedPixel, want: FusedPixel, rowsOfWant: number[]): void {
  const npix = want.wavelength.length;
  expect(Array.from(got.wavelength)).toEqual(Array.from(want.wavelength));
  for (const f of FIELDS) {
    const g = got[f] as ArrayLike<unknown>;
    const w = want[f] as ArrayLike<unknown>;
    const per = f === 'flux' || f === 'ivar' || f === 'mask' ? npix : f === 'wavelength' ? 0 : 1;
    if (per === 0) continue;
    const expected = rowsOfWant.flatMap((k) => Array.from({ length: per }, (_, i) => w[k * per + i]));
    expect(Array.from(g), f).toEqual(expected);
  }
  if (want.emline)
    for (const [c, v] of Object.entries(want.emline)) expect(Array.from(got.emline?.[c] ?? []), c).toEqual(rowsOfWant.map((k) => v[k]));
}

describe('target index and readTargets', () => {
  it.each([
    ['concat', { mode: 'lossless' }],
    ['concat', { mode: 'decimals' }],
    ['brz', { mode: 'lossless' }],
    ['brz', { mode: 'keepbits', bits: 10 }],
  ] as const)('%s %o: values equal fusePixel for targets of every type, in the order asked', async (camera, precision) => {
    const index = lookupFromRows(await indexAll());
    for (const p of PIXELS) {
      // Every target of the pixel, whatever its type: fusePixel with an empty type list and no ZWARN cut.
      const { pixel, sources } = localPixelSources(join(HEALPIX, pixelDir(p)));
      const all = await fusePixel(sources, { pixel, camera, precision, selection: { spectypes: [], zwarnMask: 0 } });
      // Asked in reverse with an unknown id in the middle.
      const order = Array.from({ length: all.count }, (_, k) => all.count - 1 - k);
      const ids = order.map((k) => all.targetId[k]);
      ids.splice(1, 0, 12345n);
      const r = await readTargets(index, ids, { camera, precision, sources: (file) => join(HEALPIX, file) });
      expect(r.unknown).toEqual([12345n]);
      // The unknown id splits nothing: every known id comes from one coadd, so one run.
      expect(r.groups.length).toBe(1);
      sameRows(r.groups[0], all, order);
      expect(r.groups[0].pixel).toEqual({ survey: p.survey, program: p.program, healpix: p.healpix });
    }
  });

  it.each([
    ['concat', { mode: 'decimals' }, false],
    ['brz', { mode: 'lossless' }, true],
  ] as const)("%s %o: the reference converter's QSOs, read by TARGETID, equal its rows", async (camera, precision, brz) => {
    const index = lookupFromRows(await indexAll());
    for (const p of PIXELS) {
      const ref = expected(p, brz);
      if (!ref.length) continue;
      const r = await readTargets(
        index,
        ref.map((x) => BigInt(x.target_id)),
        { camera, precision, sources: (file) => join(HEALPIX, file) },
      );
      expect(r.groups.length).toBe(1);
      expect(compare(r.groups[0], ref, 0).join('\n')).toBe('');
    }
  });

  it("groupBy 'file': one group per file, files in the order of their first id, ids in the order asked within", async () => {
    const rows = await indexAll();
    const a = rows.filter((r) => r.healpix === PIXELS[0].healpix).slice(0, 3);
    const b = rows.filter((r) => r.healpix === PIXELS[1].healpix).slice(0, 2);
    const ids = [b[1], a[2], b[0], a[0], a[1]].map((r) => r.targetId);
    const sources = (file: string) => join(HEALPIX, file);
    const asked = await readTargets(lookupFromRows(rows), ids, { sources, emline: false });
    expect(asked.groups.map((g) => g.count)).toEqual([1, 1, 1, 2]);
    const byFile = await readTargets(lookupFromRows(rows), ids, { sources, emline: false, groupBy: 'file' });
    expect(byFile.groups.map((g) => Array.from(g.targetId))).toEqual([
      [b[1].targetId, b[0].targetId],
      [a[2].targetId, a[0].targetId, a[1].targetId],
    ]);
    // The same spectra either way.
    const flux = (gs: typeof asked.groups, id: bigint) => {
      const g = gs.find((x) => x.targetId.includes(id))!;
      const k = g.targetId.indexOf(id);
      const n = g.wavelength.length;
      return Array.from(g.flux.subarray(k * n, (k + 1) * n));
    };
    for (const id of ids) expect(flux(byFile.groups, id)).toEqual(flux(asked.groups, id));
  });

  it('reads only the asked rows: a few percent of the coadd for one target', async () => {
    const rows = await indexAll();
    const one = rows[5];
    const r = await readTargets(lookupFromRows(rows), [one.targetId], { sources: (file) => join(HEALPIX, file), emline: false });
    expect(r.groups[0].count).toBe(1);
    // Three grids (float64) and nine rows (float32/int32) of ~2,600 pixels each: ~150 kB.
    const npix = Object.values(one.cameras).reduce((a, c) => a + c.npix, 0);
    expect(r.bytes).toBe(npix * 8 + 3 * npix * 4);
    expect(r.reads).toBe(3 + 9);
  });

  it("checking the coadd's FIBERMAP row for row finds the fixtures row-matched: the same rows, and the default reads less", async () => {
    for (const p of PIXELS) {
      const { sources } = localPixelSources(join(HEALPIX, pixelDir(p)));
      const files = { coadd: 'c.fits' };
      const input = { redrock: sources.redrock as string, coadd: sources.coadd as string };
      const fast = await indexPixel(input, { pixel: p, files });
      const checked = await indexPixel(input, { pixel: p, files, checkCoaddRows: true });
      expect(checked.warnings).toEqual([]);
      expect(checked.rows).toEqual(fast.rows);
      expect(fast.bytes).toBeLessThan(checked.bytes);
    }
  });

  it('a coadd whose FIBERMAP is not row-matched with REDSHIFTS: the index says so and matches by TARGETID', async () => {
    // The same files, with the coadd of another pixel: the rows do not match (and most targets are absent).
    const p = PIXELS[0];
    const other = PIXELS[1];
    const dir = mkdtempSync(join(tmpdir(), 'unmatched-'));
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(HEALPIX, pixelDir(p), fileName('redrock', p)), join(dir, 'redrock.fits'));
    copyFileSync(join(HEALPIX, pixelDir(other), fileName('coadd', other)), join(dir, 'coadd.fits'));
    const r = await indexPixel(
      { redrock: join(dir, 'redrock.fits'), coadd: join(dir, 'coadd.fits') },
      { pixel: p, files: { coadd: 'coadd.fits' } },
    );
    expect(r.warnings[0]).toMatch(/not row-matched/);
    expect(r.rows.length).toBe(0);
  });
});
