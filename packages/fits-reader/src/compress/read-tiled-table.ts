import { FitsError } from '../errors.js';
import type { HduContext } from '../hdu/context.js';
import type { ColumnDef } from '../table/columns.js';
import type { ReadTableOptions, Table } from '../table/read-binary.js';

/** Tile-compressed tables (ZTABLE, FITS 4.0 §10.3). */
export async function readCompressedTable(ctx: HduContext, _cols: ColumnDef[], _opts: ReadTableOptions = {}): Promise<Table> {
  throw new FitsError('unsupported', 'tile-compressed tables (ZTABLE) are not decoded yet; use readRaw for the stored bytes', {
    hdu: ctx.index,
  });
}
