/**
 * Checksums of the HDUs a fusion reads: CHECKSUM and DATASUM (FITS 4.0 appendix J) of every HDU read
 * whole are checked after the read (the bytes are in the reader's cache or the page cache, so remote
 * sources fetch nothing more), and a mismatch fails the pixel: a flipped bit never reaches the output
 * silently. HDUs read in part (the camera arrays' selected rows) can only be checked by reading them
 * whole, which `verify: 'full'` does at the cost of their bytes.
 */
import type { FitsFile, HduSelector } from '@desi/fits-reader';
import type { PixelId, Product } from '../datamodel.js';
import { FusionError } from '../errors.js';

/** `read` (default): HDUs read whole; `full`: every HDU the fusion touches, read whole to check it; `off`. */
export type VerifyMode = 'read' | 'full' | 'off';

/** What was checked in one pixel. */
export interface ChecksumTally {
  /** HDUs whose CHECKSUM and/or DATASUM matched. */
  verified: number;
  /** HDUs read whole but carrying neither keyword (nothing to check). */
  absent: number;
  /** HDUs read in part and not checked (the camera arrays, unless `verify: 'full'`). */
  unverified: number;
}

export function newTally(): ChecksumTally {
  return { verified: 0, absent: 0, unverified: 0 };
}

/**
 * Check HDUs of one open file; throws FusionError `checksum` on a mismatch, naming file, HDU and
 * keyword. `standardPadding` (default true) takes each data unit's padding as the standard's zeros, so
 * a reader that fetched the data exactly fetches nothing more; a whole local file reads it too.
 *
 * @example
 * const tally = newTally();
 * await verifyHdus({ fits, name: path }, ['REDSHIFTS', 'FIBERMAP'], tally, { product: 'redrock' });
 */
export async function verifyHdus(
  p: { fits: FitsFile; name: string },
  hdus: readonly HduSelector[],
  tally: ChecksumTally,
  where: { pixel?: PixelId; product?: Product },
  o: { standardPadding?: boolean } = {},
): Promise<void> {
  for (const hdu of hdus) {
    const name = typeof hdu === 'object' ? hdu.name : hdu;
    const r = await p.fits.verifyChecksum(hdu, { standardPadding: o.standardPadding ?? true });
    if (r.datasum === 'bad' || r.checksum === 'bad') {
      const keyword = r.datasum === 'bad' ? 'DATASUM' : 'CHECKSUM';
      throw new FusionError('checksum', `HDU ${name}: ${keyword} does not match the bytes (the file is damaged or was changed)`, {
        ...where,
        file: p.name,
      });
    }
    if (r.datasum === 'absent' && r.checksum === 'absent') tally.absent++;
    else tally.verified++;
  }
}
