import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openFits } from '@desi/fits-reader';
import { describe, expect, it } from 'vitest';
import { FusionError, fusePixel, pixelDir, radecToPixel } from '../src/index.js';
import { localPixelSources } from '../src/node.js';
import { makeSyntheticPixel } from '../src/synthetic.js';
import { HEALPIX, PIXELS } from './reference.js';

const P10016 = PIXELS[0];
/** Debian's astropy (the oracle below needs it, not just a Python). */
const HAS_ASTROPY = existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import astropy, numpy']).status === 0;
const dir10016 = join(HEALPIX, pixelDir(P10016));

async function redshifts(dir: string) {
  const { sources } = localPixelSources(dir);
  const f = await openFits(sources.redrock as string);
  const t = await f.readTable('REDSHIFTS', { columns: ['TARGETID', 'Z', 'ZWARN', 'SPECTYPE'] });
  const fm = await f.readTable('FIBERMAP', { columns: ['COADD_FIBERSTATUS'] });
  await f.close();
  return {
    tid: Array.from(t.columns.TARGETID as BigInt64Array),
    z: Array.from(t.columns.Z as Float64Array),
    zwarn: Array.from(t.columns.ZWARN as BigInt64Array),
    spectype: (t.columns.SPECTYPE as string[]).map((s) => s.trim()),
    status: Array.from(fm.columns.COADD_FIBERSTATUS as ArrayLike<number>),
  };
}

describe('selection options', () => {
  it.each([
    [
      'galaxies and stars, any ZWARN',
      { spectypes: ['GALAXY', 'STAR'], zwarnMask: 0 },
      (r: Awaited<ReturnType<typeof redshifts>>, i: number) => ['GALAXY', 'STAR'].includes(r.spectype[i]),
    ],
    [
      'every type, ZWARN without the SKY bit',
      { spectypes: [], zwarnMask: ~1 },
      (r: Awaited<ReturnType<typeof redshifts>>, i: number) => (r.zwarn[i] & ~1n) === 0n,
    ],
    [
      'QSO at 1 ≤ z ≤ 2.5',
      { z: { min: 1, max: 2.5 } },
      (r: Awaited<ReturnType<typeof redshifts>>, i: number) => r.spectype[i] === 'QSO' && r.zwarn[i] === 0n && r.z[i] >= 1 && r.z[i] <= 2.5,
    ],
    [
      'positive TARGETID, fiber status 0, any type and ZWARN',
      { spectypes: [], zwarnMask: 0, positiveTargetId: true, fiberstatusZero: true },
      (r: Awaited<ReturnType<typeof redshifts>>, i: number) => r.tid[i] > 0n && r.status[i] === 0,
    ],
  ])('%s', async (_, selection, keep) => {
    const r = await redshifts(dir10016);
    const want = r.tid.filter((_, i) => keep(r, i));
    const { pixel, sources } = localPixelSources(dir10016);
    const f = await fusePixel(sources, { pixel, selection });
    expect(Array.from(f.targetId)).toEqual(want);
    expect(want.length).toBeGreaterThan(0);
  });

  it.runIf(HAS_ASTROPY)("desi-qso-catalog follows DESI's QSO catalogue logic (LSS qso_catalog_maker, by astropy and numpy)", async () => {
    const { pixel, sources } = localPixelSources(dir10016);
    const f = await fusePixel(sources, { pixel, selection: { method: 'desi-qso-catalog' } });
    // Written from the data model notes (§6.5, after LSS qso_cat_utils.qso_catalog_maker) the way LSS
    // writes it: whole columns joined by TARGETID and masked, not a row loop like the TypeScript.
    const py = `
import json, sys, warnings
import numpy as np
from astropy.io import fits
from astropy.table import Table, join
warnings.simplefilter('ignore')
rr, mg, qn = sys.argv[1:4]
z = Table(fits.open(rr)['REDSHIFTS'].data)['TARGETID', 'Z', 'ZERR', 'SPECTYPE']
z['ROW'] = np.arange(len(z))
m = Table(fits.open(mg)['MGII'].data)['TARGETID', 'IS_QSO_MGII']
q = Table(fits.open(qn)['QN_RR'].data)['TARGETID', 'Z_NEW', 'ZERR_NEW', 'IS_QSO_QN_NEW_RR', 'C_LYA', 'C_CIV', 'C_CIII', 'C_MgII', 'C_Hbeta', 'C_Halpha']
t = join(join(z, m, keys='TARGETID', join_type='left'), q, keys='TARGETID', join_type='left')
t.sort('ROW')
def col(name, fill):
    c = t[name]
    return np.asarray(c.filled(fill) if hasattr(c, 'filled') else c)
conf = np.stack([col(c, np.nan).astype(float) for c in ('C_LYA', 'C_CIV', 'C_CIII', 'C_MgII', 'C_Hbeta', 'C_Halpha')])
is_qn = np.nanmax(conf, axis=0) > 0.95
new_rr = col('IS_QSO_QN_NEW_RR', False).astype(bool) & is_qn
bits = 2 * (np.char.strip(col('SPECTYPE', '').astype(str)) == 'QSO') + 4 * col('IS_QSO_MGII', False).astype(bool) + 8 * is_qn + 16 * new_rr
zz = np.where(new_rr, col('Z_NEW', np.nan), col('Z', np.nan))
bits[(zz > 3.65) & ((conf[0] < 0.95) | (conf[1] < 0.95))] = 0
keep = bits > 0
print(json.dumps([[str(a), int(b), float(c)] for a, b, c in zip(col('TARGETID', 0)[keep], bits[keep], zz[keep])]))
`;
    const ref = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', py, sources.redrock as string, sources.qso_mgii as string, sources.qso_qn as string], {
        encoding: 'utf8',
      }),
    );
    expect(Array.from(f.targetId, String)).toEqual(ref.map((r: [string]) => r[0]));
    expect(Array.from(f.qsoMaskbits ?? [])).toEqual(ref.map((r: [string, number]) => r[1]));
    expect(Array.from(f.z)).toEqual(ref.map((r: [string, number, number]) => r[2]));
  });
});

describe('products', () => {
  it('reports missing optional files and fills their columns with nothing', async () => {
    const p = PIXELS[1];
    const { pixel, sources } = localPixelSources(join(HEALPIX, pixelDir(p)));
    const f = await fusePixel(sources, { pixel });
    expect(f.missing.sort()).toEqual(['emline', 'rrdetails']);
    expect(f.emline).toBeUndefined();
    expect(f.rrFits).toBeUndefined();
    expect(Array.from(f.rrChi2).every(Number.isFinite)).toBe(true);
  });

  it('reads rrdetails: the best fit is the REDSHIFTS row, the next-best fits come along', async () => {
    const { pixel, sources } = localPixelSources(dir10016);
    const f = await fusePixel(sources, { pixel, rrFits: 3 });
    expect(f.rrFits?.nfit).toBe(3);
    expect(f.warnings).toEqual([]);
    for (let k = 0; k < f.count; k++) {
      expect(f.rrFits?.chi2[k * 3]).toBe(f.rrChi2[k]);
      expect(f.rrFits?.z[k * 3]).toBe(f.z[k]);
      expect(f.rrFits?.chi2[k * 3 + 1]).toBeGreaterThanOrEqual(f.rrChi2[k]);
    }
  });

  it('a missing redrock or coadd is an error naming the pixel', async () => {
    const { pixel, sources } = localPixelSources(dir10016);
    await expect(fusePixel({ ...sources, redrock: undefined }, { pixel })).rejects.toMatchObject({
      code: 'missing-file',
      product: 'redrock',
    });
    await expect(fusePixel({ ...sources, coadd: join(dir10016, 'nope.fits') }, { pixel })).rejects.toThrow(/10016/);
  });

  it('reads only the rows it needs: never RESOLUTION, a small part of the coadd', async () => {
    const { pixel, sources } = localPixelSources(dir10016);
    const f = await fusePixel(sources, { pixel });
    const size = statSync(sources.coadd as string).size;
    const needed = f.count * 7958 * 12;
    const coadd = f.io.coadd!;
    expect(coadd.size).toBe(size);
    expect(coadd.bytes).toBeGreaterThanOrEqual(needed);
    // 32 targets: RESOLUTION alone is 32 × 11 × 7958 × 4 bytes; what was read is far less than that.
    expect(coadd.bytes).toBeLessThan(32 * 11 * 7958 * 4 * 0.3);
    expect(coadd.bytes / size).toBeLessThan(0.12);
  });
});

describe('broken pixels', () => {
  const healpix = 27258;
  const synth = () => makeSyntheticPixel({ survey: 'main', program: 'dark', healpix, ntargets: 12, qsoFraction: 0.5, resolution: false });
  const pixel = { survey: 'main', program: 'dark', healpix };

  it('a synthetic pixel fuses, its positions lie in the pixel, and its good QSOs are selected', async () => {
    const s = synth();
    const f = await fusePixel({ coadd: s.coadd, redrock: s.redrock, emline: s.emline }, { pixel });
    expect(Array.from(f.targetId)).toEqual(s.goodQsos);
    for (let k = 0; k < f.count; k++) expect(radecToPixel(f.ra[k], f.dec[k])).toBe(healpix);
    expect(f.wavelength.length).toBe(7927);
  });

  it('emline rows are joined by TARGETID, in any order, with NaN for a target without a row', async () => {
    const { writeFits } = await import('@desi/fits-reader/writer');
    const s = synth();
    const emline = await openFits(s.emline as Uint8Array);
    const t = await emline.readTable(1);
    const ids = Array.from(t.columns.TARGETID as BigInt64Array);
    // Reverse the rows and drop the first good QSO's row.
    const dropped = s.goodQsos[0];
    const keep = ids
      .map((_, i) => i)
      .reverse()
      .filter((i) => ids[i] !== dropped);
    const pick = (data: ArrayLike<unknown> & { constructor: unknown }, per: number) => {
      const Ctor = data.constructor as new (n: number) => { [i: number]: unknown };
      const out = new Ctor(keep.length * per);
      keep.forEach((r, j) => {
        for (let q = 0; q < per; q++) out[j * per + q] = (data as { [i: number]: unknown })[r * per + q];
      });
      return out;
    };
    const shuffled = writeFits([
      { type: 'image', data: new Uint8Array(0), shape: [0] },
      {
        type: 'table',
        name: 'EMLINEFIT',
        numRows: keep.length,
        columns: Object.entries(t.columns).map(([name, data]) => {
          const per = (data as ArrayLike<unknown>).length / t.numRows;
          return { name, data: pick(data as never, per) as Float64Array, cellShape: t.info[name].cellShape, width: t.info[name].itemsize };
        }),
      },
    ]);
    const f = await fusePixel({ coadd: s.coadd, redrock: s.redrock, emline: shuffled }, { pixel });
    const flux = t.columns.OII_FLUX as Float32Array;
    for (let k = 0; k < f.count; k++) {
      const id = f.targetId[k];
      if (id === dropped) expect(f.emline?.oii_flux[k]).toBeNaN();
      else expect(f.emline?.oii_flux[k]).toBe(flux[ids.indexOf(id)]);
    }
    expect(f.count).toBeGreaterThan(1);
  });

  it('a TARGETID missing from the coadd is an error', async () => {
    const s = synth();
    const other = makeSyntheticPixel({
      survey: 'main',
      program: 'dark',
      healpix: 27259,
      ntargets: 12,
      qsoFraction: 0.5,
      resolution: false,
    });
    const e = await fusePixel({ coadd: other.coadd, redrock: s.redrock }, { pixel }).catch((x) => x);
    expect(e).toBeInstanceOf(FusionError);
    expect(e.code).toBe('targetid-mismatch');
    expect(e.message).toMatch(/27258/);
  });

  it('a missing camera and a wrong shape are errors', async () => {
    const { writeFits } = await import('@desi/fits-reader/writer');
    const s = synth();
    const coadd = await openFits(s.coadd);
    const hdus = await coadd.hdus();
    // Rebuild the coadd without Z_FLUX, and with an R_IVAR one row short.
    const rebuilt = [];
    for (const h of hdus) {
      if (h.name === 'Z_FLUX') continue;
      if (h.kind === 'bintable') {
        const t = await coadd.readTable(h.index);
        rebuilt.push({
          type: 'table' as const,
          name: h.name,
          numRows: t.numRows,
          columns: Object.entries(t.columns).map(([name, data]) => ({
            name,
            data: data as Float64Array,
            cellShape: t.info[name].cellShape,
            width: t.info[name].itemsize,
          })),
        });
      } else {
        const im = await coadd.readImage(h.index);
        rebuilt.push({
          type: 'image' as const,
          name: h.name,
          data: im.data,
          shape: im.shape,
          cards: h.index === 0 ? [{ keyword: 'HPXPIXEL', value: healpix }] : [],
        });
      }
    }
    const noZ = writeFits(rebuilt);
    await expect(fusePixel({ coadd: noZ, redrock: s.redrock }, { pixel })).rejects.toMatchObject({
      code: 'missing-camera',
      message: expect.stringMatching(/Z_FLUX/),
    });
    const short = rebuilt.map((h) =>
      h.name === 'R_IVAR' && h.type === 'image'
        ? { ...h, data: (h.data as Float32Array).slice(0, -2326), shape: [h.shape[0] - 1, 2326] }
        : h,
    );
    await expect(fusePixel({ coadd: writeFits(short), redrock: s.redrock }, { pixel })).rejects.toMatchObject({ code: 'bad-shape' });
  });
});

describe('precision', () => {
  it('keepbits keeps N mantissa bits, rounding to nearest', async () => {
    const { pixel, sources } = localPixelSources(dir10016);
    const exact = await fusePixel(sources, { pixel });
    const kb = await fusePixel(sources, { pixel, precision: { mode: 'keepbits', bits: 10 } });
    const u = new Uint32Array((kb.flux as Float32Array).buffer);
    for (let i = 0; i < u.length; i++) expect(u[i] & ((1 << 13) - 1)).toBe(0);
    for (let i = 0; i < exact.flux.length; i++) {
      const a = exact.flux[i];
      if (a !== 0) expect(Math.abs(kb.flux[i] - a) / Math.abs(a)).toBeLessThanOrEqual(2 ** -11);
    }
  });

  it('pyRound is Python round(): ties to even on the exact binary value', async () => {
    const { pyRound } = await import('../src/index.js');
    expect(pyRound(0.0078125, 6)).toBe(0.007812); // exact tie in binary
    expect(pyRound(-0.0078125, 6)).toBe(-0.007812);
    expect(pyRound(0.0234375, 6)).toBe(0.023438);
    expect(pyRound(2.675, 2)).toBe(2.67); // 2.675 is below the tie in binary
    expect(pyRound(3600.8000000000002, 2)).toBe(3600.8);
  });

  it('decimals over whole spectra give pyRound bit for bit (ties, zeros of both signs, NaN, ±inf, tiny and huge values)', async () => {
    const { pyRound } = await import('../src/index.js');
    const { applyPrecision } = await import('../src/precision.js');
    let s = 7;
    const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const special = [0, -0, Number.NaN, Infinity, -Infinity, 0.0078125, -0.0078125, 2.675, 1e-9, -1e-9, 5e-7, -5e-7, 1e21, 3.4e38, 1.4e-45];
    const flux = Float32Array.from({ length: 20_000 }, (_, i) =>
      i < special.length ? special[i] : (rnd() - 0.5) * 10 ** Math.floor(rnd() * 8 - 4),
    );
    // Exact ties at 6 decimals: an odd k/2^7 has exactly 7 decimals, the last a 5 (and is a float32).
    for (let i = 0; i < 500; i++) flux[special.length + i] = (2 * Math.floor(rnd() * 1e4) + 1) / 128;
    const ivar = flux.map((v) => v * 3);
    const wavelength = Float64Array.from({ length: 100 }, (_, i) => 3600 + i * 0.8000000000000682);
    const r = applyPrecision({ wavelength, flux, ivar } as never, { mode: 'decimals' });
    const same = (a: number, b: number) => Object.is(a, b);
    for (let i = 0; i < flux.length; i++) {
      if (!same(r.flux[i], pyRound(flux[i], 6))) expect(r.flux[i], `flux[${i}] = ${flux[i]}`).toBe(pyRound(flux[i], 6));
      if (!same(r.ivar[i], pyRound(ivar[i], 6))) expect(r.ivar[i]).toBe(pyRound(ivar[i], 6));
    }
    for (let i = 0; i < wavelength.length; i++) expect(r.wavelength[i]).toBe(pyRound(wavelength[i], 2));
    expect(Object.is(r.flux[1], -0)).toBe(true);
  });
});
