/**
 * Call rate per edge from the cumulative counters the overview carries: the browser samples
 * (time, calls, errors) whenever an edge's counters change and derives calls per minute and
 * the error share over a recent window. Bounded: old samples are dropped as new ones arrive.
 */
export interface EdgeSample {
  t: number;
  calls: number;
  errors: number;
}

export class EdgeRates {
  private readonly samples = new Map<string, EdgeSample[]>();
  constructor(
    private readonly windowMs = 60_000,
    private readonly maxSamples = 64,
  ) {}

  record(id: string, t: number, calls: number, errors: number): void {
    let list = this.samples.get(id);
    if (!list) this.samples.set(id, (list = []));
    const last = list[list.length - 1];
    if (last && last.calls === calls && last.errors === errors) return;
    list.push({ t, calls, errors });
    // Keep one sample older than the window as the baseline for the rate.
    while (list.length > 2 && (list.length > this.maxSamples || list[1].t < t - this.windowMs)) list.shift();
  }

  forget(keep: ReadonlySet<string>): void {
    for (const id of this.samples.keys()) if (!keep.has(id)) this.samples.delete(id);
  }

  /** Calls per minute over the window ending `now`, and errors / calls in that window (or overall while the window is empty). */
  stats(id: string, now: number): { perMinute: number; errorShare: number; calls: number; errors: number } {
    const list = this.samples.get(id) ?? [];
    const last = list[list.length - 1];
    if (!last) return { perMinute: 0, errorShare: 0, calls: 0, errors: 0 };
    let base = list[0];
    for (const s of list) if (s.t <= now - this.windowMs) base = s;
    const span = Math.max(1000, Math.min(this.windowMs, now - base.t));
    const dCalls = last.calls - base.calls;
    const dErrors = last.errors - base.errors;
    const share = dCalls > 0 ? dErrors / dCalls : last.calls > 0 ? last.errors / last.calls : 0;
    return { perMinute: (dCalls / span) * 60_000, errorShare: Math.max(0, Math.min(1, share)), calls: last.calls, errors: last.errors };
  }
}
