import { BufferSource, type ByteSource, FitsError, type FitsFile, openFits } from '@desi/fits-reader';
import type { PixelId, Product } from '../datamodel.js';
import { FusionError } from '../errors.js';
import { CountingSource } from './counting-source.js';

/** Where one product comes from: a local path, bytes, or any ByteSource (HTTP or S3 ranges…). */
export type ProductInput = string | Uint8Array | ByteSource;

/** The products of one pixel. Omitted optional products are reported as missing. */
export type PixelSources = Partial<Record<Product, ProductInput | undefined>>;

/** An opened FITS product and the counter of bytes read from it. */
export interface OpenProduct {
  fits: FitsFile;
  counter: CountingSource;
  name: string;
}

/** A ByteSource for any product input: a local path (Node), bytes, or a source as it is. */
export async function toByteSource(input: ProductInput): Promise<ByteSource> {
  if (typeof input === 'string') {
    const { FileSource } = await import('@desi/fits-reader/node');
    return FileSource.open(input);
  }
  if (input instanceof Uint8Array) return new BufferSource(input);
  return input;
}

/** True when a local path or source does not exist (for optional products). */
function isMissing(e: unknown): boolean {
  return e instanceof FitsError && e.code === 'not-found';
}

/**
 * Open one FITS product through a byte counter. Returns undefined for a missing optional product;
 * a missing required one, or a broken file, is a FusionError naming the pixel and file.
 */
export async function openProduct(
  product: Product,
  input: ProductInput | undefined,
  pixel: PixelId | undefined,
  required: boolean,
): Promise<OpenProduct | undefined> {
  const name = typeof input === 'string' ? input : input instanceof Uint8Array ? `${product} (bytes)` : (input?.name ?? product);
  if (input === undefined) {
    if (required) throw new FusionError('missing-file', `the ${product} file is required`, { pixel, product });
    return undefined;
  }
  let src: ByteSource;
  try {
    src = await toByteSource(input);
  } catch (e) {
    if (isMissing(e) && !required) return undefined;
    throw new FusionError(isMissing(e) ? 'missing-file' : 'bad-file', (e as Error).message, { pixel, product, file: name, cause: e });
  }
  const counter = new CountingSource(src);
  try {
    return { fits: await openFits(counter), counter, name };
  } catch (e) {
    await counter.close();
    throw new FusionError('bad-file', (e as Error).message, { pixel, product, file: name, cause: e });
  }
}
