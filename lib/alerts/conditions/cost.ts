/**
 * `cost`: model spend per sliding window, priced from the usage spans report (GenAI,
 * OpenInference, AI SDK conventions) with the server's price table (`XRAY_PRICES`). A span is
 * counted once (usage may ride on its start and its end); unpriced models add nothing.
 */
import { z } from 'zod';
import { costOf } from '../../cost/prices';
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

export const cost: ConditionKind<Params> = {
  kind: 'cost',
  params,
  describe: (p) => `cost > ${p.above} per ${formatDuration(p.window)}`,
  threshold: (p) => p.above,
  create(p, _now, context) {
    const windows = new KeyedWindows<{ cost: number }>(p.window, () => ({ cost: 0 }), (c) => (c.cost = 0));
    const once = new UsageOnce();
    const names = new Map<string, string>();
    return {
      observe(e, _facts, now) {
        if (!context.prices || !agentMatches(p, e.agent)) return;
        const a = once.attributesOf(e, (x) => {
          const u = spanFacts(x).usage;
          return u.input !== null || u.output !== null;
        });
        if (!a) return;
        const facts = spanFacts(a, e.kind === 'span.start' ? e.data.name : (names.get(e.span_id ?? '') ?? ''));
        const spent = costOf(context.prices, facts.model, facts.usage);
        if (!spent) return;
        const cell = windows.cell(p.by === 'agent' ? e.agent : '', e.ts, now, e.trace_id, p.by === 'agent' ? e.agent : p.agent);
        if (cell) cell.cost += spent;
      },
      evaluate(now) {
        const out = [];
        for (const [key, k] of windows.keys) {
          let total = 0;
          k.window.forEach(now, (c) => (total += c.cost));
          out.push({ key, holds: total > p.above, value: total, examples: k.examples, agent: k.agent });
        }
        windows.forEachKey(now, () => {});
        return out;
      },
    };
  },
};
