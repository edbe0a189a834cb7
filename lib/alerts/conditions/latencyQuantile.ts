/** `latency_p95`: a quantile (p95 by default) of call durations over a sliding window. */
import { z } from 'zod';
import type { ConditionKind } from '../condition';
import { duration, formatDuration } from '../duration';
import { histogramQuantile, LATENCY_BOUNDS_MS, latencyBucketOf } from '../slidingWindow';
import { callFilterParams, callKey, callMatches, type CallFilter } from './filters';
import { KeyedWindows } from './keyedWindows';

const params = z.object({
  ...callFilterParams,
  window: duration(1000),
  above_ms: z.number().positive().max(3_600_000),
  quantile: z.number().gt(0).lt(1).default(0.95),
  min_calls: z.number().int().min(1).max(1_000_000).default(1),
});
type Params = z.output<typeof params> & CallFilter;

export const latencyQuantile: ConditionKind<Params> = {
  kind: 'latency_p95',
  params,
  describe: (p) => `p${Math.round(p.quantile * 100)} call latency > ${p.above_ms} ms over ${formatDuration(p.window)}`,
  threshold: (p) => p.above_ms,
  create(p) {
    const size = LATENCY_BOUNDS_MS.length + 1;
    const windows = new KeyedWindows<Uint32Array>(p.window, () => new Uint32Array(size), (c) => c.fill(0));
    const merged = new Uint32Array(size);
    return {
      observe(e, facts, now) {
        const call = facts.call;
        if (!call || !callMatches(p, call)) return;
        const slow = call.durationMs > p.above_ms;
        const cell = windows.cell(callKey(p, call), e.ts, now, slow ? e.trace_id : null, p.by === 'agent' ? call.callee : p.agent);
        if (cell) cell[latencyBucketOf(call.durationMs)]++;
      },
      evaluate(now) {
        return windows.sample(now, (w) => {
          merged.fill(0);
          let total = 0;
          w.forEach(now, (c) => {
            for (let i = 0; i < size; i++) merged[i] += c[i];
          });
          for (let i = 0; i < size; i++) total += merged[i];
          const value = histogramQuantile(merged, p.quantile) ?? 0;
          return { holds: total >= p.min_calls && value > p.above_ms, value };
        });
      },
    };
  },
};
