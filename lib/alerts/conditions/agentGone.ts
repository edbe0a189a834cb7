/**
 * `agent_gone`: an agent that disconnected and has not come back for `after`. One alert per
 * agent (key = its name). The absence is found by the engine's timer, not by an event.
 */
import { z } from 'zod';
import { agentName } from '../../protocol/relay';
import { BoundedRecency } from './boundedRecency';
import { rememberExample, type ConditionKind, MAX_KEYS_PER_RULE } from '../condition';
import { duration, formatDuration } from '../duration';
import { agentMatches } from './filters';

const params = z.object({
  agent: agentName.optional(),
  agent_prefix: z.string().min(1).max(128).optional(),
  after: duration(0),
});
type Params = z.output<typeof params>;

interface Seen {
  goneSince: number | null;
  examples: string[];
}

export const agentGone: ConditionKind<Params> = {
  kind: 'agent_gone',
  params,
  describe: (p) => `${p.agent ?? (p.agent_prefix ? `${p.agent_prefix}*` : 'any agent')} gone for ${formatDuration(p.after)}`,
  threshold: (p) => p.after / 1000,
  create(p) {
    const agents = new BoundedRecency<Seen>(MAX_KEYS_PER_RULE);
    return {
      observe(e) {
        if (!agentMatches(p, e.agent)) return;
        if (e.kind === 'agent.disconnect') {
          agents.touch(e.agent, () => ({ goneSince: null, examples: [] })).goneSince = e.ts;
        } else if (e.kind === 'agent.connect' || e.kind === 'agent.register') {
          agents.touch(e.agent, () => ({ goneSince: null, examples: [] })).goneSince = null;
        } else if (e.trace_id) {
          const seen = agents.get(e.agent);
          if (seen) rememberExample(seen.examples, e.trace_id);
        }
      },
      evaluate(now) {
        const out = [];
        for (const [agent, s] of agents) {
          const gone = s.goneSince === null ? 0 : (now - s.goneSince) / 1000;
          out.push({ key: agent, agent, holds: s.goneSince !== null && now - s.goneSince >= p.after, value: gone, examples: s.examples });
        }
        return out;
      },
    };
  },
};
