import type { PixelId, Product } from './datamodel.js';

/** Why fusing a pixel failed. */
export type FusionErrorCode =
  | 'missing-file'
  | 'targetid-mismatch'
  | 'bad-shape'
  | 'missing-camera'
  | 'bad-file'
  | 'bad-option'
  /** CHECKSUM or DATASUM does not match an HDU's bytes. */
  | 'checksum';

/** A pixel could not be fused; says which pixel and which file. The caller decides whether a batch goes on. */
export class FusionError extends Error {
  readonly code: FusionErrorCode;
  readonly pixel?: PixelId;
  readonly product?: Product;
  readonly file?: string;

  constructor(code: FusionErrorCode, message: string, ctx: { pixel?: PixelId; product?: Product; file?: string; cause?: unknown } = {}) {
    const where = [ctx.pixel ? `pixel ${ctx.pixel.survey}/${ctx.pixel.program}/${ctx.pixel.healpix}` : undefined, ctx.file ?? ctx.product]
      .filter(Boolean)
      .join(', ');
    super(where ? `${where}: ${message}` : message, ctx.cause === undefined ? undefined : { cause: ctx.cause });
    this.name = 'FusionError';
    this.code = code;
    this.pixel = ctx.pixel;
    this.product = ctx.product;
    this.file = ctx.file;
  }
}
