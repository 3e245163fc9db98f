import { gunzipSync } from 'node:zlib';
import { FITS_ERROR_CODES, FitsError, type FitsErrorCode, openFits } from '../src/index.js';
import { hduSpans } from './fits-bytes.js';

/** How one read of a hostile file ended, as the fuzzer classes it. */
export interface ProbeOutcome {
  /** `defect`: anything but a FitsError escaped, or a cut-short data unit was read as whole. */
  class: 'ok' | 'fits-error' | 'defect';
  /** The FitsError codes seen (one per refused read). */
  codes: FitsErrorCode[];
  /** For a defect: what escaped, with its stack. */
  message?: string;
  stack?: string;
  /** Which call was running. */
  where?: string;
}

const CODES = new Set<string>(FITS_ERROR_CODES);

class Defect extends Error {}

/**
 * Open `bytes` and read everything in it every way a user can: the HDU list (or each header by index
 * when the list fails), each image whole, by rows and verified, each table whole and by rows, random
 * groups, raw data, and both checksum modes. A FitsError is the expected answer to a bad file; any
 * other throw is a defect, and so is reading as whole a data unit that the header (read here without
 * the reader's help) says runs past the end of the file.
 */
export async function probe(bytes: Uint8Array): Promise<ProbeOutcome> {
  const codes: FitsErrorCode[] = [];
  let where = 'openFits';
  const attempt = async <T>(what: string, f: () => Promise<T>): Promise<T | undefined> => {
    where = what;
    try {
      return await f();
    } catch (e) {
      if (!(e instanceof FitsError)) throw e;
      if (!CODES.has(e.code)) throw new Defect(`FitsError with an unknown code ${JSON.stringify(e.code)}: ${e.message}`);
      codes.push(e.code);
      return undefined;
    }
  };
  try {
    const declaredEnds = declaredDataEnds(bytes);
    const fits = await attempt('openFits', () => openFits(bytes));
    if (!fits) return { class: 'fits-error', codes };
    const listed = await attempt('hdus', () => fits.hdus());
    let count = listed?.length ?? 0;
    if (!listed) while (count < 1000 && (await attempt(`header(${count})`, () => fits.header(count)))) count++;
    const size = fits.source.size;
    for (let i = 0; i < count; i++) {
      const layout = await attempt(`layout(${i})`, () => fits.layout(i));
      if (!layout) continue;
      const wholeRead = (ok: unknown, what: string) => {
        const end = declaredEnds?.[i];
        if (ok !== undefined && end !== undefined && end > size)
          throw new Defect(`${what} returned data for HDU ${i}, whose declared data end at byte ${end}, past the file's ${size} bytes`);
      };
      const k = layout.kind;
      if (k === 'primary' || k === 'image' || k === 'compressed-image') {
        const img = await attempt(`readImage(${i})`, () => fits.readImage(i));
        wholeRead(img, 'readImage');
        wholeRead(await attempt(`readImage(${i}, verify)`, () => fits.readImage(i, { verify: true })), 'readImage verify');
        const rows = img?.shape[0];
        if (rows) await attempt(`readImage(${i}, rows)`, () => fits.readImage(i, { rows: [rows - 1, 0] }));
        if (rows) await attempt(`readImage(${i}, last row)`, () => fits.readImage(i, { rows: [rows - 1] }));
      }
      if (k === 'bintable' || k === 'table' || k === 'compressed-table' || k === 'compressed-image') {
        const t = await attempt(`readTable(${i})`, () => fits.readTable(i));
        wholeRead(t, 'readTable');
        wholeRead(await attempt(`readTable(${i}, verify)`, () => fits.readTable(i, { verify: true })), 'readTable verify');
        if (t && t.numRows > 0) await attempt(`readTable(${i}, rows)`, () => fits.readTable(i, { rows: [t.numRows - 1, 0] }));
        if (t && t.numRows > 0) await attempt(`readTable(${i}, last row)`, () => fits.readTable(i, { rows: [t.numRows - 1] }));
      }
      if (k === 'random-groups') wholeRead(await attempt(`readGroups(${i})`, () => fits.readGroups(i)), 'readGroups');
      wholeRead(await attempt(`readRaw(${i})`, () => fits.readRaw(i)), 'readRaw');
      for (const standardPadding of [false, true]) {
        const sums = await attempt(`verifyChecksum(${i})`, () => fits.verifyChecksum(i, { standardPadding }));
        wholeRead(sums, 'verifyChecksum');
      }
    }
    await fits.close();
    return { class: codes.length ? 'fits-error' : 'ok', codes };
  } catch (e) {
    const err = e as Error;
    return {
      class: 'defect',
      codes,
      message: e instanceof Defect ? err.message : `${err?.name ?? typeof e}: ${err?.message ?? String(e)}`,
      stack: e instanceof Defect ? undefined : err?.stack,
      where,
    };
  }
}

/** Where each HDU's declared data end, from the raw header cards (gzip undone first). */
function declaredDataEnds(bytes: Uint8Array): number[] | undefined {
  let plain = bytes;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      plain = new Uint8Array(gunzipSync(bytes));
    } catch {
      return undefined;
    }
  }
  return hduSpans(plain).map((s) => (s.declaredData === undefined ? Number.NaN : s.dataOffset + s.declaredData));
}
