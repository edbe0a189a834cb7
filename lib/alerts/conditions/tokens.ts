/**
 * `tokens`: tokens per sliding window. `source: stream` counts streamed token frames (one
 * `token` event each); `source: usage` sums the GenAI usage attributes spans report
 * (`gen_ai.usage.input_tokens` + `output_tokens`). Two sources, never mixed: an agent that
 * both streams and reports usage would otherwise be counted twice.
 */
import { z } from 'zod';
import type { ConditionKind } from '../condition';
import { duration, formatDuration } from '../duration';
import { agentName } from '../../protocol/relay';
import { agentMatches } from './filters';
import { KeyedWindows } from './keyedWindows';
import type { Attributes } from '../../protocol/events';
import { UsageOnce } from './usageOnce';

const params = z.object({
  agent: agentName.optional(),
  agent_prefix: z.string().min(1).max(128).optional(),
  by: z.enum(['agent']).optional(),
  source: z.enum(['stream', 'usage']).default('stream'),
  window: duration(1000),
  above: z.number().min(0),
});
type Params = z.output<typeof params>;

const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);
const usageTokens = (a: Attributes) => n(a['gen_ai.usage.input_tokens']) + n(a['gen_ai.usage.output_tokens']);

export const tokens: ConditionKind<Params> = {
  kind: 'tokens',
  params,
  describe: (p) => `${p.source === 'usage' ? 'usage tokens' : 'streamed tokens'} > ${p.above} per ${formatDuration(p.window)}`,
  threshold: (p) => p.above,
  create(p) {
    const windows = new KeyedWindows<{ n: number }>(p.window, () => ({ n: 0 }), (c) => (c.n = 0));
    const once = new UsageOnce();
    return {
      observe(e, _facts, now) {
        let count = 0;
        if (p.source === 'stream') count = e.kind === 'token' ? 1 : 0;
        else {
          const a = once.attributesOf(e, (x) => usageTokens(x) > 0);
          count = a ? usageTokens(a) : 0;
        }
        if (!count || !agentMatches(p, e.agent)) return;
        const cell = windows.cell(p.by === 'agent' ? e.agent : '', e.ts, now, e.trace_id, p.by === 'agent' ? e.agent : p.agent);
        if (cell) cell.n += count;
      },
      evaluate(now) {
        return windows.sample(now, (w) => {
          let n = 0;
          w.forEach(now, (c) => (n += c.n));
          return { holds: n > p.above, value: n };
        });
      },
    };
  },
};
