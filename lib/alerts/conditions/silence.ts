/**
 * `silence`: no events from the swarm (or from agents with a name prefix) for `after`. The
 * clock starts when the rule is loaded, so a swarm that never spoke fires too.
 */
import { z } from 'zod';
import { rememberExample, type ConditionKind } from '../condition';
import { duration, formatDuration } from '../duration';

const params = z.object({
  agent_prefix: z.string().min(1).max(128).optional(),
  after: duration(1000),
});
type Params = z.output<typeof params>;

export const silence: ConditionKind<Params> = {
  kind: 'silence',
  params,
  describe: (p) => `no events from ${p.agent_prefix ? `${p.agent_prefix}*` : 'the swarm'} for ${formatDuration(p.after)}`,
  threshold: (p) => p.after / 1000,
  create(p, loadedAt) {
    let last = loadedAt;
    const examples: string[] = [];
    return {
      observe(e) {
        if (p.agent_prefix !== undefined && !e.agent.startsWith(p.agent_prefix)) return;
        last = Math.max(last, e.ts);
        rememberExample(examples, e.trace_id);
      },
      evaluate(now) {
        return [{ key: '', holds: now - last >= p.after, value: Math.max(0, now - last) / 1000, examples }];
      },
    };
  },
};
