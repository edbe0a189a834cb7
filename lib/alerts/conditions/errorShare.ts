/** `error_share`: the share of calls that failed (error or timeout) over a sliding window. */
import { z } from 'zod';
import type { ConditionKind } from '../condition';
import { duration, formatDuration } from '../duration';
import { callFilterParams, callKey, callMatches, type CallFilter } from './filters';
import { KeyedWindows } from './keyedWindows';

const params = z.object({
  ...callFilterParams,
  window: duration(1000),
  /** Fires when the share of failed calls is above this (0..1). */
  above: z.number().min(0).max(1),
  /** Fewer calls than this in the window never fire (one failure out of one is not a trend). */
  min_calls: z.number().int().min(1).max(1_000_000).default(1),
});
type Params = z.output<typeof params> & CallFilter;

interface Counts {
  total: number;
  errors: number;
}

export const errorShare: ConditionKind<Params> = {
  kind: 'error_share',
  params,
  describe: (p) => `error share > ${p.above} over ${formatDuration(p.window)} (min ${p.min_calls} calls)`,
  threshold: (p) => p.above,
  create(p) {
    const windows = new KeyedWindows<Counts>(p.window, () => ({ total: 0, errors: 0 }), (c) => ((c.total = 0), (c.errors = 0)));
    return {
      observe(e, facts, now) {
        const call = facts.call;
        if (!call || !callMatches(p, call)) return;
        // Examples are the failing traces: those are the ones worth opening.
        const cell = windows.cell(callKey(p, call), e.ts, now, call.ok ? null : e.trace_id, p.by === 'agent' ? call.callee : p.agent);
        if (!cell) return;
        cell.total++;
        if (!call.ok) cell.errors++;
      },
      evaluate(now) {
        return windows.sample(now, (w) => {
          let total = 0;
          let errors = 0;
          w.forEach(now, (c) => ((total += c.total), (errors += c.errors)));
          const value = total ? errors / total : 0;
          return { holds: total >= p.min_calls && value > p.above, value };
        });
      },
    };
  },
};
