/**
 * Defects the fuzzer found, each as the smallest edit of a corpus file that shows it, with the
 * behaviour chosen and why.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hduSpans, withCard } from '../fuzz/fits-bytes.js';
import { FitsError, openFits } from '../src/index.js';

const CORPUS = join(import.meta.dirname, 'fixtures', 'corpus');
const edit = (file: string, hdu: number, keyword: string, value: string) => {
  const out = withCard(new Uint8Array(readFileSync(join(CORPUS, file))), hdu, keyword, value);
  if (!out) throw new Error(`no ${keyword} in ${file}`);
  return out;
};

describe('fuzz findings', () => {
  it('BLANK = 1.5 on an integer image (was a RangeError from BigInt): ignored with a warning, as astropy does', async () => {
    const file = 'peer/astropy-io-fits/blank.fits';
    const plain = await (await openFits(new Uint8Array(readFileSync(join(CORPUS, file))))).readImage(0);
    const fits = await openFits(edit(file, 0, 'BLANK', '1.5'));
    const img = await fits.readImage(0);
    expect(img.nulls).toBeUndefined();
    expect(img.shape).toEqual(plain.shape);
    expect(fits.warnings.map((w) => [w.code, w.keyword])).toContainEqual(['bad-blank', 'BLANK']);
  });

  it("a VLA column with repeat 0 ('0PB(113)', was a RangeError reading descriptors that are not there): empty cells", async () => {
    const fits = await openFits(edit('gen/fp_gzip1_u8.fits.fz', 1, 'TFORM1', "'0PB(113)'"));
    const t = await fits.readTable(1);
    const cells = t.columns.COMPRESSED_DATA as unknown as Uint8Array[];
    expect(cells.length).toBe(t.numRows);
    expect(cells.every((c) => c.length === 0)).toBe(true);
    // The image has no compressed bytes left to decode: refused, never a crash.
    const e = await fits.readImage(1).catch((x) => x);
    expect(e).toBeInstanceOf(FitsError);
  });

  it('GROUPS with an unreadable value (a NUL after T; was read as a plain image sized by PCOUNT/GCOUNT): bad-keyword GROUPS', async () => {
    const bytes = new Uint8Array(readFileSync(join(CORPUS, 'gen/hand_random_groups_scaled.fits')));
    const card = hduSpans(bytes)[0].cards.find((at) => new TextDecoder().decode(bytes.subarray(at, at + 8)) === 'GROUPS  ')!;
    bytes[card + 40] = 0;
    const e = await openFits(bytes)
      .then((f) => f.readGroups(0))
      .catch((x) => x);
    expect(e).toBeInstanceOf(FitsError);
    expect([e.code, e.keyword]).toEqual(['bad-keyword', 'GROUPS']);
  });

  it("a compressed image whose data column is named 'COMPRESSeD_DATA' (was a TypeError): names match case-insensitively", async () => {
    const file = 'gen/ap_comp_rice_3d.fits';
    const plain = await (await openFits(new Uint8Array(readFileSync(join(CORPUS, file))))).readImage(1);
    const img = await (await openFits(edit(file, 1, 'TTYPE1', "'COMPRESSeD_DATA'"))).readImage(1);
    expect(img.shape).toEqual(plain.shape);
    expect(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength)).toEqual(
      Buffer.from(plain.data.buffer, plain.data.byteOffset, plain.data.byteLength),
    );
  });

  it('a compressed image whose ZNAXIS1 card is written in lower case (was a TypeError rebuilding the header): read as usual', async () => {
    const file = 'gen/ap_comp_rice_3d.fits';
    const original = new Uint8Array(readFileSync(join(CORPUS, file)));
    const bytes = original.slice();
    const at = hduSpans(bytes)[1].cards.find((c) => new TextDecoder().decode(bytes.subarray(c, c + 8)) === 'ZNAXIS1 ')!;
    bytes.set(new TextEncoder().encode('znaxis1 '), at);
    const want = await (await openFits(original)).header(1);
    const got = await (await openFits(bytes)).header(1);
    expect(got.get('NAXIS1')).toBe(want.get('NAXIS1'));
    expect((await (await openFits(bytes)).readImage(1)).shape).toEqual((await (await openFits(original)).readImage(1)).shape);
  });
});
