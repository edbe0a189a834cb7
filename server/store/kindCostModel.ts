/**
 * What one event of each kind costs the event loop to commit (or to index), learned from
 * measured batches, so a batch can be sized to a time budget before it runs (G6).
 *
 * Why per kind and not one average per event: events are not alike, and batches mix them. In
 * the 4 MiB OTLP test (server/amplification.integration.test.ts) one-token commits cost ~0.2 ms
 * per event (the commit's own overhead included) between commits of ~200 spans at ~0.045 ms
 * each, and an OTLP span with large attributes costs several times that: one moving average
 * over all of them is only right for the mix it last saw.
 *
 * A batch of mixed kinds is credited to each kind by its share of the predicted cost, so a
 * single token committed beside 300 spans barely moves the token's estimate, while the kinds
 * that make up the batch learn at the full rate. Estimates rise faster than they fall: a batch
 * that ran long is the failure to avoid, one that ran short only costs a little throughput. A kind
 * never measured is assumed dear (the caller says how dear: enough that its first batch is a
 * small probe), and its first measurement is taken as it is.
 */

/** Weight of a new measurement when it says the kind is dearer / cheaper than estimated. */
const RISE = 0.5;
const FALL = 0.3;
/**
 * A measurement counts as at most this many times the prediction (or 1/this): a GC pause inside
 * a one-token commit (ratio ~10⁵) must not make tokens look like 100 ms each for the next 26
 * commits, while a real jump in cost (a 10× dearer export) is still learned in one batch.
 */
const MAX_STEP = 16;
/** No estimate goes below this (ms): a batch timed at 0 must not let the next one grow without bound. */
const FLOOR_MS = 1e-4;

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
    const measured = spentMs / predicted;
    const bounded = Math.min(MAX_STEP, Math.max(1 / MAX_STEP, measured));
    for (const [kind, n] of kinds) {
      const estimate = this.estimateMs(kind);
      // A first measurement replaces the assumption whole; later ones move the estimate, relative
      // to the batch's largest part so the kinds that make up the batch learn at the full rate.
      const next = this.perEventMs.has(kind) ? estimate * (1 + (bounded > 1 ? RISE : FALL) * ((n * estimate) / largest) * (bounded - 1)) : estimate * measured;
      this.perEventMs.set(kind, Math.max(FLOOR_MS, next));
    }
  }
}

/** How many events of each kind a batch holds: what `observe` takes. */
export function countKinds(events: readonly { kind: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
  return counts;
}
