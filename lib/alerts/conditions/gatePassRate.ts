/**
 * `gate_pass_rate`: the share of evidence gates passed at the first attempt (`gate.check`
 * events with attempt 1) over a sliding window; fires when it falls below a threshold.
 */
import { z } from 'zod';
import type { ConditionKind } from '../condition';
import { duration, formatDuration } from '../duration';
import { KeyedWindows } from './keyedWindows';

const params = z.object({
  /** Only this gate; all gates when omitted. */
  gate: z.string().min(1).max(128).optional(),
  /** One alert per gate instead of one for all matching checks. */
  by: z.enum(['gate']).optional(),
  window: duration(1000),
  /** Fires when the first-attempt pass rate is below this (0..1). */
  below: z.number().min(0).max(1),
  min_checks: z.number().int().min(1).max(1_000_000).default(1),
});
type Params = z.output<typeof params>;

export const gatePassRate: ConditionKind<Params> = {
  kind: 'gate_pass_rate',
  params,
  describe: (p) => `first-attempt pass rate of ${p.gate ? `gate ${p.gate}` : 'gates'} < ${p.below} over ${formatDuration(p.window)} (min ${p.min_checks} checks)`,
  threshold: (p) => p.below,
  create(p) {
    const windows = new KeyedWindows<{ first: number; passed: number }>(p.window, () => ({ first: 0, passed: 0 }), (c) => ((c.first = 0), (c.passed = 0)));
    return {
      observe(e, _facts, now) {
        if (e.kind !== 'gate.check' || e.data.attempt !== 1) return;
        if (p.gate !== undefined && e.data.gate !== p.gate) return;
        const pass = e.data.verdict === 'pass';
        const cell = windows.cell(p.by === 'gate' ? e.data.gate : '', e.ts, now, pass ? null : e.trace_id);
        if (!cell) return;
        cell.first++;
        if (pass) cell.passed++;
      },
      evaluate(now) {
        return windows.sample(now, (w) => {
          let first = 0;
          let passed = 0;
          w.forEach(now, (c) => ((first += c.first), (passed += c.passed)));
          const value = first ? passed / first : 1;
          return { holds: first >= p.min_checks && value < p.below, value };
        });
      },
    };
  },
};
