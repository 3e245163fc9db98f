/**
 * A small seeded generator (SplitMix32-style mixing), so mutant number `i` of seed `s` is the same
 * file on every machine and in every process: a reproducer is just (seed, index).
 */
export class Random {
  private state: number;

  constructor(seed: number, stream = 0) {
    this.state = mix((seed >>> 0) ^ mix((stream >>> 0) + 0x9e3779b9)) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    return mix(this.state) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}
