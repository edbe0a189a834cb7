/**
 * `cost`: model spend per sliding window, priced from the usage spans report (GenAI,
 * OpenInference, AI SDK conventions) with the server's price table (`XRAY_PRICES`). A span is
 * counted once (usage may ride on its start and its end); unpriced models add nothing.
 */
import { z } from 'zod';
import { costOf, type PriceTable } from '../../cost/prices';
import type { XrayEvent } from '../../protocol/events';
import { agentName } from '../../protocol/relay';
import { spanFacts } from '../../telemetry/conventions';
import type { ConditionKind } from '../condition';
import { duration, formatDuration } from '../duration';
import { agentMatches } from './filters';
import { KeyedWindows } from './keyedWindows';
import { UsageOnce } from './usageOnce';

const params = z.object({
  agent: agentName.optional(),
  agent_prefix: z.string().min(1).max(128).optional(),
  by: z.enum(['agent']).optional(),
  window: duration(1000),
  /** Fires when the spend in the window is above this (in the price table's currency). */
  above: z.number().min(0),
});
type Params = z.output<typeof params>;

/** What one event's span usage cost (0 when unpriced, without usage, or the span was counted). */
export function spanCost(e: XrayEvent, prices: PriceTable, once: UsageOnce): number {
  const a = once.attributesOf(e, (x) => {
    const u = spanFacts(x).usage;
    return u.input !== null || u.output !== null;
  });
  if (!a) return 0;
  const facts = spanFacts(a, e.kind === 'span.start' ? e.data.name : '');
  return costOf(prices, facts.model, facts.usage) ?? 0;
}

export const cost: ConditionKind<Params> = {
  kind: 'cost',
  params,
  describe: (p) => `cost > ${p.above} per ${formatDuration(p.window)}`,
  threshold: (p) => p.above,
  create(p, _now, context) {
    const windows = new KeyedWindows<{ cost: number }>(p.window, () => ({ cost: 0 }), (c) => (c.cost = 0));
    const once = new UsageOnce();
    return {
      observe(e, _facts, now) {
        if (!context.prices || !agentMatches(p, e.agent)) return;
        const spent = spanCost(e, context.prices, once);
        if (!spent) return;
        const cell = windows.cell(p.by === 'agent' ? e.agent : '', e.ts, now, e.trace_id, p.by === 'agent' ? e.agent : p.agent);
        if (cell) cell.cost += spent;
      },
      evaluate(now) {
        return windows.sample(now, (w) => {
          let total = 0;
          w.forEach(now, (c) => (total += c.cost));
          return { holds: total > p.above, value: total };
        });
      },
    };
  },
};
