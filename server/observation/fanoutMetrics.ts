import { MsHistogramRecorder } from '../msHistogram';

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
  /** Receive → emit latency of the newest event in each delta (ms). */
  readonly latency = new MsHistogramRecorder([5, 10, 25, 50, 75, 100, 150, 250, 500, 1000, 2500, 5000]);

  countOut(bytes: number, copies: number, rawBytes = 0): void {
    this.bytesOut += bytes * copies;
    this.rawBytesEquivalent += rawBytes;
  }
}
