/**
 * `{ verify: true }` on readTable/readImage checks DATASUM and CHECKSUM on the way. The independent
 * answer is the files themselves: their sums were written by astropy, CFITSIO and fpack, and
 * ap_checksum_bad_datasum.fits carries a DATASUM that astropy reports as wrong.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ByteSource, FitsError, openFits } from '../src/index.js';

const GEN = join(import.meta.dirname, 'fixtures', 'corpus', 'gen');
const bytesOf = (name: string) => new Uint8Array(readFileSync(join(GEN, name)));

/** A buffer source that counts the bytes handed out. */
function counting(bytes: Uint8Array): ByteSource & { bytesRead: number } {
  const s = {
    size: bytes.length,
    bytesRead: 0,
    async read(offset: number, length: number) {
      const out = bytes.subarray(offset, Math.min(bytes.length, offset + length));
      s.bytesRead += out.length;
      return out;
    },
  };
  return s;
}

async function caught(p: Promise<unknown>): Promise<FitsError> {
  const e = await p.then(
    () => undefined,
    (x) => x,
  );
  expect(e).toBeInstanceOf(FitsError);
  return e as FitsError;
}

describe('readTable/readImage with verify', () => {
  it.each([
    ['ap_checksum_ok.fits', 'astropy'],
    ['fi_checksum_ok.fits', 'CFITSIO'],
    ['fp_rice_i16.fits.fz', 'fpack (compressed image)'],
    ['fp_ztable_vla.fits.fz', 'fpack (compressed table with a heap)'],
    ['fp_mef.fits.fz', 'fpack (several compressed HDUs)'],
  ])('%s (sums by %s): every HDU verifies ok, with no more bytes read than without verify', async (name) => {
    const bytes = bytesOf(name);
    const hdus = await (await openFits(bytes)).hdus();
    let verified = 0;
    for (const h of hdus) {
      if (!h.header.card('DATASUM') && !(await (await openFits(bytes)).rawHeader(h.index)).card('DATASUM')) continue;
      const isTable = h.kind === 'bintable' || h.kind === 'table' || h.kind === 'compressed-table';
      const plain = counting(bytes);
      const checked = counting(bytes);
      const a = await openFits(plain);
      const b = await openFits(checked);
      await a.hdus();
      await b.hdus();
      const [before, beforeChecked] = [plain.bytesRead, checked.bytesRead];
      const read = (f: typeof a, verify: boolean) => (isTable ? f.readTable(h.index, { verify }) : f.readImage(h.index, { verify }));
      const r1 = await read(a, false);
      const r2 = await read(b, true);
      expect(r2.checksums).toEqual({ checksum: 'ok', datasum: 'ok' });
      expect(r1.checksums).toBeUndefined();
      // Zero extra I/O for a whole read (the header's sum is taken when it is parsed).
      expect(checked.bytesRead - beforeChecked).toBe(plain.bytesRead - before);
      verified++;
    }
    expect(verified).toBeGreaterThan(0);
  });

  it('a row subset is still verified whole: the rows not asked for are read once to finish the sum', async () => {
    const fits = await openFits(bytesOf('ap_checksum_ok.fits'));
    const hdu = (await fits.hdus()).find((h) => h.kind === 'bintable')!;
    const t = await fits.readTable(hdu.index, { rows: [hdu.numRows! - 1], verify: true });
    expect(t.numRows).toBe(1);
    expect(t.checksums).toEqual({ checksum: 'ok', datasum: 'ok' });
  });

  it('a DATASUM astropy reports as wrong is a FitsError bad-checksum naming DATASUM', async () => {
    const fits = await openFits(bytesOf('ap_checksum_bad_datasum.fits'));
    const e = await caught(fits.readTable(1, { verify: true }));
    expect(e.code).toBe('bad-checksum');
    expect([e.hdu, e.keyword]).toEqual([1, 'DATASUM']);
    // Without verify the same read succeeds: the check is opt-in.
    await expect(fits.readTable(1)).resolves.toBeDefined();
  });

  it('one flipped data bit fails DATASUM; one changed header byte fails only CHECKSUM', async () => {
    const good = bytesOf('ap_checksum_ok.fits');
    const hdu = (await (await openFits(good)).hdus()).find((h) => h.kind === 'bintable')!;
    const data = good.slice();
    data[hdu.dataOffset + 5] ^= 1;
    expect((await caught((await openFits(data)).readTable(hdu.index, { verify: true }))).keyword).toBe('DATASUM');
    const header = good.slice();
    const text = new TextDecoder('latin1').decode(header.subarray(hdu.headerOffset, hdu.dataOffset));
    const extname = text.indexOf('EXTNAME ');
    // A comment character of the EXTNAME card: the data still sum right, the whole HDU does not.
    const slash = text.indexOf('/', extname);
    expect(slash).toBeGreaterThan(extname);
    header[hdu.headerOffset + slash + 2] ^= 0x20;
    const e = await caught((await openFits(header)).readTable(hdu.index, { verify: true }));
    expect([e.code, e.keyword]).toEqual(['bad-checksum', 'CHECKSUM']);
  });

  it('an HDU without CHECKSUM/DATASUM reads as usual and says so', async () => {
    const fits = await openFits(bytesOf('ap_bt_tdim.fits'));
    expect((await fits.readTable(1, { verify: true })).checksums).toEqual({ checksum: 'absent', datasum: 'absent' });
  });
});
