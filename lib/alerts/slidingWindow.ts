/**
 * A sliding time window as a ring of fixed-width buckets: adding is O(1), reading the window
 * is O(buckets), and nothing is ever rescanned. Each bucket remembers which epoch (ts / width)
 * it holds, so a bucket from a lap ago is recycled on first touch instead of by a timer.
 */
export class SlidingWindow<T> {
  readonly width: number;
  private readonly cells: T[];
  private readonly epochs: Float64Array;

  constructor(
    readonly windowMs: number,
    private readonly make: () => T,
    private readonly reset: (cell: T) => void,
    readonly buckets = 30,
  ) {
    this.width = Math.max(1, Math.ceil(windowMs / buckets));
    this.cells = Array.from({ length: buckets }, make);
    this.epochs = new Float64Array(buckets).fill(-Infinity);
  }

  /** The bucket for `ts`, or null when `ts` is older than the window ending at `now`. */
  at(ts: number, now: number): T | null {
    const epoch = Math.floor(ts / this.width);
    if (epoch <= Math.floor(now / this.width) - this.buckets) return null;
    const i = ((epoch % this.buckets) + this.buckets) % this.buckets;
    if (this.epochs[i] !== epoch) {
      if (this.epochs[i] > epoch) return null; // the slot already moved on: this ts is too old
      this.reset(this.cells[i]);
      this.epochs[i] = epoch;
    }
    return this.cells[i];
  }

  /** Visits the buckets inside the window that ends at `now`. */
  forEach(now: number, visit: (cell: T) => void): void {
    const newest = Math.floor(now / this.width);
    for (let i = 0; i < this.buckets; i++) {
      const e = this.epochs[i];
      if (e > newest - this.buckets && e <= newest) visit(this.cells[i]);
    }
  }

  /** True when no bucket inside the window holds data (the key can be forgotten). */
  isEmpty(now: number): boolean {
    let empty = true;
    this.forEach(now, () => (empty = false));
    return empty;
  }
}

/** Latency histogram bounds (ms), log-spaced: p95 from merged buckets, bounded memory per window. */
export const LATENCY_BOUNDS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500, 10_000, 15_000, 30_000, 60_000, 120_000];

export function latencyBucketOf(ms: number): number {
  for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++) if (ms <= LATENCY_BOUNDS_MS[i]) return i;
  return LATENCY_BOUNDS_MS.length;
}

/**
 * The quantile of a histogram as the upper bound of the bucket holding it (what Prometheus'
 * histogram_quantile approximates too); the overflow bucket answers with the largest bound.
 */
export function histogramQuantile(counts: ArrayLike<number>, q: number): number | null {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  if (!total) return null;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i];
    if (seen >= rank) return LATENCY_BOUNDS_MS[Math.min(i, LATENCY_BOUNDS_MS.length - 1)];
  }
  return LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1];
}
