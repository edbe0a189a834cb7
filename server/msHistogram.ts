/**
 * A histogram of durations kept in milliseconds: per-bucket counts, a sum and a count, read by
 * /metrics (observation/prometheus.ts exposes it in seconds). A plain class rather than a prom-client
 * Histogram because the hot paths that observe it (every commit, every delta) live outside
 * the metrics registry, which builds its families on each scrape.
 */
/** Bucket counts (per bucket, not cumulative) kept in milliseconds. */
export interface MsHistogram {
  buckets: readonly number[];
  counts: readonly number[];
  sum: number;
  count: number;
}

export class MsHistogramRecorder implements MsHistogram {
  /** Per bucket (value ≤ bound), plus one past the last bound. Not cumulative. */
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(readonly buckets: readonly number[]) {
    this.counts = new Array<number>(buckets.length + 1).fill(0);
  }

  observe(ms: number): void {
    const v = Math.max(0, ms);
    let i = 0;
    while (i < this.buckets.length && v > this.buckets[i]) i++; // past the last bound: the overflow count
    this.counts[i]++;
    this.sum += v;
    this.count++;
  }
}
