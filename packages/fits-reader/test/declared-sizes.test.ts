/**
 * Issue #13's first class of hostile headers: a size keyword that claims more data than the file
 * holds. Reading such an HDU (or checking its checksums) must be a FitsError `truncated` naming the
 * HDU, at once, without allocating or looping by the claim; earlier HDUs stay readable and hdus()
 * says which one is cut short. The files are real corpus files with one header card edited.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withCard } from '../fuzz/fits-bytes.js';
import { FitsError, openFits } from '../src/index.js';

const GEN = join(import.meta.dirname, 'fixtures', 'corpus', 'gen');

/** The file with card `keyword` of HDU `hdu` set to `value` (edited without the reader's help). */
async function edited(path: string, hdu: number, keyword: string, value: string): Promise<Uint8Array> {
  const out = withCard(new Uint8Array(readFileSync(path)), hdu, keyword, value);
  if (!out) throw new Error(`no ${keyword} in HDU ${hdu}`);
  return out;
}

async function truncatedError(p: Promise<unknown>): Promise<FitsError> {
  const e = await p.then(
    () => undefined,
    (x) => x,
  );
  expect(e).toBeInstanceOf(FitsError);
  expect((e as FitsError).code).toBe('truncated');
  return e as FitsError;
}

describe('declared sizes are checked against the file', () => {
  it('a BINTABLE declaring 2^32 + 1 rows: readTable is a FitsError (not a RangeError), hdus() marks it, HDU 0 still reads', async () => {
    const bytes = await edited(join(GEN, 'ap_bt_all_types.fits'), 1, 'NAXIS2', '4294967297');
    const fits = await openFits(bytes);
    const hdus = await fits.hdus();
    expect(hdus[1].truncated).toBe(true);
    expect(hdus[0].truncated).toBeUndefined();
    const e = await truncatedError(fits.readTable(1));
    expect(e.hdu).toBe(1);
    expect(e.keyword).toBe('NAXIS2');
    expect(e.message).toMatch(/declares \d+ bytes of data .* but the file ends at \d+/);
    await expect(fits.header(0)).resolves.toBeDefined();
  });

  it("checksums of a compressed image's table claiming 2^32 rows fail at once instead of summing the claim", async () => {
    const bytes = await edited(join(GEN, 'ap_comp_rice_3d.fits'), 1, 'NAXIS2', '4294967296');
    const fits = await openFits(bytes);
    const t0 = performance.now();
    await truncatedError(fits.verifyChecksum(1));
    await truncatedError(fits.readImage(1));
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('random groups claiming 10^12 parameters: readGroups is a FitsError', async () => {
    const bytes = await edited(join(GEN, 'hand_random_groups_scaled.fits'), 0, 'PCOUNT', '1000000000000');
    const e = await truncatedError((await openFits(bytes)).readGroups(0));
    expect(e.keyword).toBe('GCOUNT');
  });

  it('a file cut half-way through its data: verifyChecksum is truncated, never ok', async () => {
    const full = new Uint8Array(readFileSync(join(GEN, 'ap_checksum_ok.fits')));
    const info = (await (await openFits(full)).hdus()).at(-1);
    if (!info) throw new Error('no HDU');
    const cut = full.subarray(0, info.dataOffset + Math.floor(info.dataSize / 2));
    const fits = await openFits(cut);
    if (info.index > 0) expect(await fits.verifyChecksum(0)).toBeDefined(); // an earlier HDU is still checkable
    await truncatedError(fits.verifyChecksum(info.index));
  });
});

describe('column types a compressed image can declare are decoded or refused with a FitsError', () => {
  it("a compressed image's data column made zero-width (TFORM1 = '0A')", async () => {
    const bytes = await edited(join(GEN, 'ap_comp_rice_f32_dither1.fits'), 1, 'TFORM1', "'0A      '");
    const e = await (await openFits(bytes)).readImage(1).then(
      () => undefined,
      (x) => x,
    );
    expect(e).toBeInstanceOf(FitsError);
    expect((e as FitsError).keyword).toBe('TFORM1');
  });

  it("a quantised float's ZSCALE column made 64-bit integer (TFORMn = 'K') decodes instead of mixing BigInt and numbers", async () => {
    const src = join(GEN, 'ap_comp_rice_f32_dither1.fits');
    const raw = await (await openFits(new Uint8Array(readFileSync(src)))).rawHeader(1);
    const n = Array.from({ length: 20 }, (_, i) => i + 1).find((i) => String(raw.get(`TTYPE${i}`) ?? '').trim() === 'ZSCALE');
    expect(n).toBeDefined();
    const bytes = await edited(src, 1, `TFORM${n}`, "'K       '");
    const im = await (await openFits(bytes)).readImage(1).catch((x) => x);
    if (im instanceof Error) expect(im).toBeInstanceOf(FitsError);
    else expect(im.data.length).toBeGreaterThan(0);
  });
});
