import { FitsError } from '../errors.js';

/**
 * What the status of a ranged GET means, the same for every HTTP range source: 206 is the range;
 * 200 is a server that ignored Range and sends the whole file (refused: reading it would cost the
 * whole object per read and break the cache's memory bound); 416 for the first byte is an empty
 * file; anything else is an I/O error. Returns undefined for 206.
 *
 * @example
 * const err = rangeStatusError(res.status, { file: url, offset, length });
 * if (err) throw err;
 */
export function rangeStatusError(
  status: number,
  at: { file?: string; offset: number; length: number; statusText?: string },
): FitsError | undefined {
  if (status === 206) return undefined;
  if (status === 200)
    return new FitsError('unsupported', 'the server ignored the Range header (answered 200 instead of 206); range reads are not possible', {
      file: at.file,
    });
  if (status === 416 && at.offset === 0)
    return new FitsError('not-fits', 'the file is empty (HTTP 416 for its first byte)', { file: at.file });
  return new FitsError(
    'io',
    `HTTP ${status}${at.statusText ? ` ${at.statusText}` : ''} for bytes ${at.offset}–${at.offset + at.length - 1}`,
    {
      file: at.file,
      offset: at.offset,
    },
  );
}
