/** Small statistics for the benchmark: medians and percentiles (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export const median = (values: readonly number[]) => percentile(values, 50);

export const round = (v: number, digits = 1) => (Number.isFinite(v) ? Math.round(v * 10 ** digits) / 10 ** digits : v);

/** Cumulative histogram buckets as /metrics gives them: [upper bound, count of values ≤ it]. */
export type Buckets = readonly (readonly [number, number])[];

/** A histogram family's cumulative buckets in a /metrics text: [upper bound, count]. */
export function histogramBuckets(metricsText: string, name: string): Buckets {
  const bucket = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)`);
  return metricsText.split('\n').flatMap((l) => {
    const m = bucket.exec(l);
    return m ? [[m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])] as const] : [];
  });
}

/**
 * What a histogram recorded between two reads of it: the number of values, the bound of the
 * bucket holding the q-th percentile (Infinity when it is past the last bound), and how many
 * values exceeded `over` (which must be one of the bounds).
 */
export function bucketsBetween(before: Buckets, after: Buckets, q: number, over: number): { count: number; percentileBound: number; over: number } {
  const diff = after.map(([le, n], i) => [le, n - (before[i]?.[1] ?? 0)] as const);
  const count = diff.at(-1)?.[1] ?? 0;
  const rank = Math.ceil((q / 100) * count);
  const percentileBound = count ? (diff.find(([, n]) => n >= rank)?.[0] ?? Infinity) : NaN;
  const upTo = diff.find(([le]) => le === over)?.[1] ?? NaN;
  return { count, percentileBound, over: count - upTo };
}

/**
 * The median over repeats of `of[r] ÷ to[r]`, each pair measured back to back: a ratio of
 * medians would compare runs from different moments of a host whose speed drifts. Repeats
 * past the shorter list are left out.
 */
export function pairedRatio(of: readonly number[], to: readonly number[]): number {
  const n = Math.min(of.length, to.length);
  return median(Array.from({ length: n }, (_, r) => of[r] / to[r]));
}

/**
 * The runs of repeat `r`: as listed on even repeats, reversed on odd ones (ABBA). Listed so that
 * each pair's two sides are neighbours (ceiling, single, single acked; batched, batched acked),
 * which they stay reversed.
 */
export function ingestOrder<T>(modes: readonly T[], r: number): readonly T[] {
  return r % 2 === 0 ? modes : [...modes].reverse();
}
