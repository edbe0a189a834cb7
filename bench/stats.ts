/** Small statistics for the benchmark: medians and percentiles (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export const median = (values: readonly number[]) => percentile(values, 50);

export const round = (v: number, digits = 1) => (Number.isFinite(v) ? Math.round(v * 10 ** digits) / 10 ** digits : v);

/**
 * Sustained rate from (time ms, counter) samples: the slope over the middle of the run,
 * leaving out ramp-up and drain.
 */
export function sustainedRate(samples: readonly [number, number][]): number {
  if (samples.length < 3) return NaN;
  const a = samples[Math.floor(samples.length * 0.2)];
  const b = samples[Math.max(Math.floor(samples.length * 0.8), Math.floor(samples.length * 0.2) + 1)];
  return ((b[1] - a[1]) * 1000) / Math.max(1, b[0] - a[0]);
}
