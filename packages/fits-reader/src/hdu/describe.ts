import { compressedImageHeader, compressedShape } from '../compress/image-header.js';
import { compressedTableHeader } from '../compress/table-header.js';
import type { Header } from '../header/header.js';
import { asciiColumns, binaryColumns, type ColumnDef } from '../table/columns.js';
import { type ColumnInfo, columnInfo } from '../table/read-binary.js';
import type { HduContext } from './context.js';
import type { HduKind } from './layout.js';

/** One HDU as listed by {@link FitsFile.hdus}. */
export interface HduInfo {
  index: number;
  /** EXTNAME as written; undefined when absent. */
  name?: string;
  /** EXTVER (default 1). */
  ver: number;
  kind: HduKind;
  headerOffset: number;
  dataOffset: number;
  /** Exact size of the data unit in bytes, without padding. */
  dataSize: number;
  /**
   * True when the header declares more data than the file holds (a cut-short file, or a size keyword
   * too large): reading the HDU is then a FitsError `truncated`; earlier HDUs stay readable.
   */
  truncated?: boolean;
  /** The header (for compressed HDUs, the reconstructed image or table header). */
  header: Header;
  /** Image shape in numpy order (images, primary arrays, compressed images). */
  shape?: number[];
  /** BITPIX of the (decompressed) image. */
  bitpix?: number;
  /** Number of rows (tables). */
  numRows?: number;
  /** Columns (tables). */
  columns?: ColumnInfo[];
}

/** An HDU as the file keeps it: its context, its columns and, for compressed HDUs, the header they stand for. */
export interface HduEntry {
  ctx: HduContext;
  columns?: ColumnDef[];
  /** For compressed HDUs: the header of the image or table they stand for. */
  imageHeader?: Header;
  info: HduInfo;
}

/**
 * What `hdus()` lists of an HDU, and the columns its reads use, from its header and layout: the
 * reconstructed header and shape for compressed HDUs, and whether its data run past the source's end.
 */
export function describeHdu(ctx: HduContext, sourceSize: number): HduEntry {
  const { header, layout, index } = ctx;
  const name = header.get('EXTNAME');
  const ver = header.get('EXTVER');
  const info: HduInfo = {
    index,
    name: typeof name === 'string' ? name : undefined,
    ver: typeof ver === 'number' ? ver : 1,
    kind: layout.kind,
    headerOffset: ctx.headerOffset,
    dataOffset: ctx.dataOffset,
    dataSize: layout.dataSize,
    header,
  };
  if (ctx.dataOffset + layout.dataSize > sourceSize) info.truncated = true;
  const entry: HduEntry = { ctx, info };
  const rowBytes = layout.naxes[0] ?? 0;
  switch (layout.kind) {
    case 'primary':
    case 'image':
      info.shape = [...layout.naxes].reverse();
      info.bitpix = layout.bitpix;
      break;
    case 'bintable':
      entry.columns = binaryColumns(header, index, rowBytes);
      info.numRows = layout.naxes[1] ?? 0;
      info.columns = entry.columns.map((c) => columnInfo(c));
      break;
    case 'compressed-table': {
      entry.columns = binaryColumns(header, index, rowBytes, true);
      const table = compressedTableHeader(header, index);
      entry.imageHeader = table;
      info.header = table;
      info.numRows = Number(table.get('NAXIS2'));
      info.columns = binaryColumns(table, index, Number(table.get('NAXIS1'))).map((c) => columnInfo(c));
      break;
    }
    case 'table':
      entry.columns = asciiColumns(header, index, rowBytes);
      info.numRows = layout.naxes[1] ?? 0;
      info.columns = entry.columns.map((c) => columnInfo(c));
      break;
    case 'compressed-image':
      entry.columns = binaryColumns(header, index, rowBytes, true);
      entry.imageHeader = compressedImageHeader(header, index);
      info.header = entry.imageHeader;
      // The image's own EXTNAME (the writer's default COMPRESSED_IMAGE stands for none).
      {
        const n = entry.imageHeader.get('EXTNAME');
        info.name = typeof n === 'string' ? n : undefined;
      }
      info.shape = compressedShape(header, index);
      info.bitpix = Number(header.get('ZBITPIX'));
      break;
    case 'random-groups':
      info.shape = [...layout.naxes.slice(1)].reverse();
      info.bitpix = layout.bitpix;
      break;
  }
  return entry;
}
