import type { PixelId, Product } from '../datamodel.js';
import type { OpenProduct } from '../io/sources.js';
import { type ChecksumTally, newTally, type VerifyMode, verifyHdus } from '../io/verify.js';

/** Where a step is, for its errors: the pixel, the product and the file. */
export type Where = (product: Product, file?: string) => { pixel: PixelId; product: Product; file?: string };

/** CHECKSUM/DATASUM checks of HDUs read whole, run while the next reads go on, awaited at the end. */
export class Checks {
  readonly tally: ChecksumTally = newTally();
  private readonly running: Promise<void>[] = [];

  constructor(
    readonly mode: VerifyMode,
    private readonly pixel: PixelId,
  ) {}

  add(p: OpenProduct | undefined, names: readonly string[], product: Product): void {
    if (this.mode === 'off' || !p) return;
    const c = verifyHdus(p, names, this.tally, { pixel: this.pixel, product });
    c.catch(() => {});
    this.running.push(c);
  }

  async done(): Promise<void> {
    await Promise.all(this.running);
  }
}
