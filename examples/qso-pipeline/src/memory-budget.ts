import type { ConvertOptions } from './convert.js';
import type { PixelTask } from './tasks.js';

const MiB = 1 << 20;

/**
 * What a pixel holds before its selection is known: the tables read whole (redrock, emline, the
 * afterburners, as large as their files at most) and the readers' caches and headers.
 */
export function tablesEstimate(task: PixelTask): number {
  const small = (['redrock', 'emline', 'qso_mgii', 'qso_qn'] as const).reduce((a, p) => a + (task.files[p]?.size ?? 0), 0);
  return Math.min(small, 64 * MiB) + 8 * MiB;
}

/**
 * What `count` selected spectra take while a pixel is fused and written: per pixel value the camera
 * rows read (12 bytes), the fused arrays (12; 28 with decimals' float64 and its float32 source) and
 * the encoded file (about a third of that), measured against bench:memory.
 */
export function spectraEstimate(count: number, o: Pick<ConvertOptions, 'camera' | 'precision'>): number {
  const npix = (o.camera ?? 'concat') === 'brz' ? 7781 : 7958;
  const perValue = o.precision?.mode === 'decimals' ? 50 : 30;
  return count * npix * perValue;
}

/**
 * A memory budget for the pixels in flight: each pixel reserves what it will hold before it holds it
 * (its tables when it starts, its spectra once it knows how many targets it selected), and waits while
 * the budget is spent. Progress is guaranteed: a request is granted when it fits, or when every other
 * holder is itself waiting (one pixel may then go over the budget rather than all wait forever).
 */
export class MemoryBudget {
  private used = 0;
  private holders = 0;
  private readonly waiting: Array<{ bytes: number; grant: () => void; holder: boolean }> = [];
  /** The most bytes reserved at once, and the most pixels holding reservations at once. */
  readonly peak = { bytes: 0, holders: 0 };

  constructor(readonly limit: number) {}

  /** Reserve `bytes` for a new holder; resolves to its handle once granted. */
  async admit(bytes: number): Promise<Reservation> {
    await this.request(bytes, false);
    return new Reservation(this, bytes);
  }

  /** @internal Grow a holder's reservation. */
  async grow(bytes: number): Promise<void> {
    await this.request(bytes, true);
  }

  /** @internal Give back bytes (and the holder, when it is done). */
  free(bytes: number, done: boolean): void {
    this.used -= bytes;
    if (done) this.holders--;
    this.pump();
  }

  private request(bytes: number, holder: boolean): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push({
        bytes,
        holder,
        grant: () => {
          // Counted at once, so that the next request in the same pass sees this holder.
          this.used += bytes;
          if (!holder) this.holders++;
          this.peak.bytes = Math.max(this.peak.bytes, this.used);
          this.peak.holders = Math.max(this.peak.holders, this.holders);
          resolve();
        },
      });
      this.pump();
    });
  }

  /**
   * Grant waiting requests while they fit: growth of pixels already running first, then new pixels,
   * each in order. When nothing fits: a new pixel goes only if nothing is held at all; a growth goes
   * if every holder is itself waiting to grow (nobody would ever free bytes otherwise).
   */
  private pump(): void {
    while (this.waiting.length) {
      const i = Math.max(
        0,
        this.waiting.findIndex((x) => x.holder),
      );
      const w = this.waiting[i];
      const fits = this.used + w.bytes <= this.limit;
      const stuck = w.holder ? this.waiting.filter((x) => x.holder).length === this.holders : this.holders === 0;
      if (!fits && !stuck) return;
      this.waiting.splice(i, 1);
      w.grant();
    }
  }
}

/** One pixel's reservation: grows as it learns its size, released once its output is written. */
export class Reservation {
  private released = false;
  constructor(
    private readonly budget: MemoryBudget,
    private bytes: number,
  ) {}

  /** Reserve `more` bytes (waits while the budget is spent). */
  async grow(more: number): Promise<void> {
    if (more <= 0 || this.released) return;
    await this.budget.grow(more);
    this.bytes += more;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.budget.free(this.bytes, true);
  }
}
