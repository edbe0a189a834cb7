/** Counters and gauges the fanout keeps for /metrics and the dashboard's status bar. */
export class FanoutMetrics {
  eventsIn = 0;
  deltas = 0;
  snapshots = 0;
  bytesOut = 0;
  /** What the same events would have cost as one message per frame per subscriber (estimate). */
  rawBytesEquivalent = 0;
  skippedForBackpressure = 0;
  maxClientLag = 0;
  /** subscribe/unsubscribe/resync messages refused for a socket or session rate limit. */
  rateLimited = 0;
  /** Receive → emit latency histogram (ms), cumulative buckets as Prometheus wants them. */
  readonly latencyBuckets = [5, 10, 25, 50, 75, 100, 150, 250, 500, 1000, 2500, 5000];
  readonly latencyCounts = new Array<number>(this.latencyBuckets.length + 1).fill(0);
  latencySum = 0;
  latencyCount = 0;

  countOut(bytes: number, copies: number, rawBytes = 0): void {
    this.bytesOut += bytes * copies;
    this.rawBytesEquivalent += rawBytes;
  }

  observeLatency(ms: number): void {
    const v = Math.max(0, ms);
    let i = this.latencyBuckets.findIndex((b) => v <= b);
    if (i < 0) i = this.latencyBuckets.length;
    this.latencyCounts[i]++;
    this.latencySum += v;
    this.latencyCount++;
  }
}
