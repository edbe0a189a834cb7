/**
 * What one event of each kind costs the event loop to commit (or to index), learned from
 * measured batches, so a batch can be sized to a time budget before it runs (G6).
 *
 * Why per kind and not one average per event: events are not alike. An OTLP span with its
 * attributes costs several times a token, and a large export commits while agents keep
 * sending single acked tokens. One moving average over both was pulled down by every
 * one-token commit, so the export's parts were sized for tokens: 200–400 span events, 25–47 ms
 * against a 10 ms budget (measured in the 4 MiB OTLP test, server/amplification.integration.test.ts).
 *
 * A batch of mixed kinds is credited to each kind by its share of the predicted cost, so a
 * single token committed beside 300 spans barely moves the token's estimate, while the kinds
 * that make up the batch learn at the full rate. Estimates rise faster than they fall: a batch that ran
 * long is the failure to avoid, one that ran short only costs a little throughput. A kind
 * never measured is assumed dear (the caller says how dear: enough that its first batch is a
 * small probe), and its first measurement is taken as it is.
 */

/** Weight of a new measurement when it says the kind is dearer / cheaper than estimated. */
const RISE = 0.5;
const FALL = 0.3;

export class KindCostModel {
  /** ms per event, by event kind (kinds come from the protocol's enum; bounded). */
  private readonly perEventMs = new Map<string, number>();

  /** `unknownMs`: what one event of a kind never measured is assumed to cost. */
  constructor(private readonly unknownMs: number) {}

  /** Estimated ms of loop time for one event of `kind`. */
  estimateMs(kind: string): number {
    return this.perEventMs.get(kind) ?? this.unknownMs;
  }

  /** The highest estimate of a kind measured so far (the unknown kind's cost while none is). */
  dearestMeasuredMs(): number {
    let dearest = 0;
    for (const ms of this.perEventMs.values()) if (ms > dearest) dearest = ms;
    return dearest || this.unknownMs;
  }

  /** Learns from one measured batch: how many events of each kind it held, and what it cost. */
  observe(kinds: ReadonlyMap<string, number>, spentMs: number): void {
    let predicted = 0;
    let largest = 0;
    for (const [kind, n] of kinds) {
      const cost = n * this.estimateMs(kind);
      predicted += cost;
      largest = Math.max(largest, cost);
    }
    if (predicted <= 0 || !(spentMs >= 0)) return;
    const ratio = spentMs / predicted;
    for (const [kind, n] of kinds) {
      const estimate = this.estimateMs(kind);
      const known = this.perEventMs.has(kind);
      // Relative to the largest part: the kinds that make up the batch learn at full rate.
      const weight = known ? (ratio > 1 ? RISE : FALL) * ((n * estimate) / largest) : 1;
      this.perEventMs.set(kind, estimate * (1 + weight * (ratio - 1)));
    }
  }
}

/** How many events of each kind a batch holds: what `observe` takes. */
export function countKinds(events: readonly { kind: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
  return counts;
}
