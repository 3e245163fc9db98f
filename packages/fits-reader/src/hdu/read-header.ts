import { OnesSum } from '../checksum/ones-sum.js';
import type { FitsWarning } from '../errors.js';
import { FitsError } from '../errors.js';
import type { ByteSource } from '../source/byte-source.js';

export const BLOCK = 2880;
const CARD = 80;

/** The card images of one header and where its data start. */
export interface RawHeader {
  images: string[];
  headerOffset: number;
  dataOffset: number;
  /** Ones' complement sum of the header blocks, taken on the way (for CHECKSUM without re-reading them). */
  sum: number;
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i += 4096) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(end, i + 4096)) as unknown as number[]);
  }
  return s;
}

function isEndCard(bytes: Uint8Array, p: number): boolean {
  // "END" followed by five blanks.
  if (bytes[p] !== 0x45 || bytes[p + 1] !== 0x4e || bytes[p + 2] !== 0x44) return false;
  for (let k = 3; k < 8; k++) if (bytes[p + k] !== 0x20) return false;
  return true;
}

/** First bytes of a source shown as text, so a user sees what a non-FITS file holds (e.g. XML). */
function preview(bytes: Uint8Array): string {
  const n = Math.min(bytes.length, 60);
  let s = '';
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    s += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
  }
  return JSON.stringify(s);
}

/**
 * Read the header that starts at `offset`: 2880-byte blocks until the END card. Reads grow
 * geometrically so long headers cost few round trips on remote sources.
 */
export async function readHeader(src: ByteSource, offset: number, hdu: number, warn: (w: FitsWarning) => void): Promise<RawHeader> {
  const images: string[] = [];
  let pos = offset;
  let blocks = 4;
  let first = true;
  const sum = new OnesSum();
  for (;;) {
    if (pos >= src.size) {
      throw new FitsError('truncated', `header ends at end of file without an END card (truncated header)`, {
        hdu,
        keyword: 'END',
        offset: src.size,
      });
    }
    const chunk = await src.read(pos, blocks * BLOCK);
    if (first) {
      checkStart(chunk, hdu);
      first = false;
    }
    const whole = chunk.length - (chunk.length % BLOCK);
    for (let p = 0; p < whole; p += CARD) {
      if (isEndCard(chunk, p)) {
        const blockEnd = p - (p % BLOCK) + BLOCK;
        checkFill(chunk, p + CARD, blockEnd, hdu, warn);
        sum.add(chunk.subarray(0, blockEnd), pos - offset);
        return { images, headerOffset: offset, dataOffset: pos + blockEnd, sum: sum.value() };
      }
      images.push(latin1(chunk, p, p + CARD));
    }
    if (whole < chunk.length || chunk.length === 0) {
      // Less than a full block is left: a header must fill whole 2880-byte blocks.
      const sawEnd = Array.from({ length: Math.floor((chunk.length - whole) / CARD) }, (_, k) => whole + k * CARD).some((p) =>
        isEndCard(chunk, p),
      );
      throw new FitsError(
        'truncated',
        sawEnd
          ? `header is truncated: the file ends ${chunk.length - whole} bytes into the 2880-byte block that holds END`
          : `header is truncated: the file ends before the END card`,
        { hdu, keyword: 'END', offset: pos + chunk.length },
      );
    }
    sum.add(chunk.subarray(0, whole), pos - offset);
    pos += whole;
    blocks = Math.min(blocks * 2, 256);
    // A header that runs to the end of the source without END is caught above on the next pass.
  }
}

function checkStart(chunk: Uint8Array, hdu: number): void {
  const want = hdu === 0 ? 'SIMPLE' : 'XTENSION';
  const head = latin1(chunk, 0, Math.min(chunk.length, 8));
  if (hdu === 0 && head.startsWith('SIMPLE')) return;
  if (hdu > 0 && head.startsWith('XTENSION')) return;
  if (hdu === 0) {
    throw new FitsError('not-fits', `not a FITS file: it does not start with a SIMPLE card (first bytes: ${preview(chunk)})`, {
      hdu,
      keyword: 'SIMPLE',
      offset: 0,
    });
  }
  throw new FitsError('bad-structure', `expected an ${want} card at the start of the header (found ${preview(chunk)})`, {
    hdu,
    keyword: want,
  });
}

function checkFill(chunk: Uint8Array, from: number, to: number, hdu: number, warn: (w: FitsWarning) => void): void {
  for (let i = from; i < Math.min(to, chunk.length); i++) {
    if (chunk[i] !== 0x20) {
      const what = chunk[i] === 0 ? 'NUL bytes' : 'non-blank bytes';
      warn({
        code: 'header-fill',
        hdu,
        keyword: 'END',
        message: `HDU ${hdu}: the header block after END is padded with ${what} instead of spaces (byte ${i})`,
      });
      return;
    }
  }
}

/** True when the bytes at this offset look like the start of another HDU. */
export function looksLikeExtension(bytes: Uint8Array): boolean {
  return latin1(bytes, 0, Math.min(8, bytes.length)) === 'XTENSION';
}
