/** Every {@link FitsErrorCode}, for code that checks one at run time. */
export const FITS_ERROR_CODES = [
  'not-fits',
  'truncated',
  'missing-end',
  'bad-keyword',
  'bad-structure',
  'too-large',
  'out-of-bounds',
  'bad-gzip',
  'bad-compressed-data',
  'bad-table-value',
  'bad-checksum',
  'unsupported',
  'not-found',
  'wrong-kind',
  'bad-argument',
  'io',
  'closed',
] as const;

/** Machine-readable categories of {@link FitsError}. */
export type FitsErrorCode = (typeof FITS_ERROR_CODES)[number];

/** Where a {@link FitsError} happened; every field is optional. */
export interface FitsErrorContext {
  hdu?: number;
  keyword?: string;
  column?: string;
  row?: number;
  offset?: number;
  file?: string;
  cause?: unknown;
}

/**
 * The one error class of the reader. `code` says what went wrong; `hdu`, `keyword`, `column`, `row`
 * and `offset` say where, and the message repeats them for people reading logs.
 */
export class FitsError extends Error {
  readonly code: FitsErrorCode;
  readonly hdu?: number;
  readonly keyword?: string;
  readonly column?: string;
  readonly row?: number;
  readonly offset?: number;
  readonly file?: string;
  /** The message without the location prefix. */
  readonly detail: string;

  constructor(code: FitsErrorCode, message: string, ctx: FitsErrorContext = {}) {
    super(FitsError.compose(message, ctx), ctx.cause === undefined ? undefined : { cause: ctx.cause });
    this.name = 'FitsError';
    this.detail = message;
    this.code = code;
    this.hdu = ctx.hdu;
    this.keyword = ctx.keyword;
    this.column = ctx.column;
    this.row = ctx.row;
    this.offset = ctx.offset;
    this.file = ctx.file;
  }

  private static compose(message: string, ctx: FitsErrorContext): string {
    const where: string[] = [];
    if (ctx.file !== undefined) where.push(ctx.file);
    if (ctx.hdu !== undefined) where.push(`HDU ${ctx.hdu}`);
    if (ctx.keyword !== undefined) where.push(`keyword ${ctx.keyword}`);
    if (ctx.column !== undefined) where.push(`column ${ctx.column}`);
    if (ctx.row !== undefined) where.push(`row ${ctx.row}`);
    if (ctx.offset !== undefined) where.push(`byte ${ctx.offset}`);
    return where.length ? `${where.join(', ')}: ${message}` : message;
  }

  /** The same error with the file name added (used once the source's name is known). */
  withFile(file: string | undefined): FitsError {
    if (file === undefined || this.file !== undefined) return this;
    const e = new FitsError(this.code, this.detail, {
      file,
      hdu: this.hdu,
      keyword: this.keyword,
      column: this.column,
      row: this.row,
      offset: this.offset,
      cause: this.cause,
    });
    return e;
  }
}

/** A non-fatal problem found while reading (lenient parse, missing padding, trailing bytes…). */
export interface FitsWarning {
  code: string;
  hdu?: number;
  keyword?: string;
  message: string;
}
