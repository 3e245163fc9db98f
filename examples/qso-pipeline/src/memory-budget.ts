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
