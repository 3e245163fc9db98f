/**
 * Checksums of the HDUs a fusion reads: CHECKSUM and DATASUM (FITS 4.0 appendix J) of every HDU read
 * whole are checked after the read (the bytes are in the reader's cache or the page cache, so remote
 * sources fetch nothing more), and a mismatch fails the pixel: a flipped bit never reaches the output
 * silently. HDUs read in part (the camera arrays' selected rows) can only be checked by reading them
 * whole, which `verify: 'full'` does at the cost of their bytes.
 */
import type { PixelId, Product } from '../datamodel.js';
import { FusionError } from '../errors.js';
import type { OpenProduct } from './sources.js';

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

/** Check HDUs of one file; throws FusionError `checksum` on a mismatch, naming file, HDU and keyword. */
export async function verifyHdus(
  p: OpenProduct,
  names: readonly string[],
  tally: ChecksumTally,
  where: { pixel?: PixelId; product: Product },
): Promise<void> {
  for (const name of names) {
    // The padding is taken as the standard's zeros: the reader fetched the data exactly, no more.
    const r = await p.fits.verifyChecksum(name, { standardPadding: true });
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
