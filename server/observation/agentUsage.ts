/**
 * Token usage and cost of recent traces, for the traces list and the agent inspector. Usage
 * lives on spans and calls, never on token frames, so traces are rebuilt without their
 * tokens; and a trace is rebuilt only when it grew since the last ask (both pages poll).
 */
import type { PriceTable } from '../../lib/cost/prices';
import type { TraceSummary } from '../../lib/protocol/api';
import type { EventKind } from '../../lib/protocol/events';
import { buildTrace } from '../../lib/trace/buildTrace';
import { addUsage, zeroUsage, type UsageTotals } from '../../lib/trace/usageRollup';
import type { EventLog } from '../store/eventLog';
import { readAll } from '../store/readPages';

const STRUCTURE_KINDS: readonly EventKind[] = ['call.request', 'call.response', 'call.error', 'call.timeout', 'span.start', 'span.end'];
const CACHE_LIMIT = 1000;
export const AGENT_USAGE_TRACES = 20;
/** Structure events of one trace read at most (a page at a time). */
const MAX_STRUCTURE_EVENTS = 200_000;

interface TraceUsage {
  lastSeq: number;
  usage: UsageTotals;
  byAgent: (UsageTotals & { agent: string })[];
}

export class TraceUsageCache {
  /** trace id → its usage as of its last seq. */
  private readonly cache = new Map<string, TraceUsage>();

  constructor(
    private readonly log: EventLog,
    private readonly prices: PriceTable | null,
  ) {}

  async of(t: Pick<TraceSummary, 'trace_id' | 'last_seq'>): Promise<TraceUsage> {
    let hit = this.cache.get(t.trace_id);
    if (!hit || hit.lastSeq !== t.last_seq) {
      const events = await readAll(this.log, { traceId: t.trace_id, kinds: STRUCTURE_KINDS }, { max: MAX_STRUCTURE_EVENTS });
      const tree = buildTrace(t.trace_id, events, { prices: this.prices });
      hit = { lastSeq: t.last_seq, usage: tree.usage, byAgent: tree.byAgent };
      this.cache.delete(t.trace_id);
      this.cache.set(t.trace_id, hit);
      while (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    }
    return hit;
  }

  /** One agent's usage over its most recent traces. */
  async ofAgent(agent: string): Promise<UsageTotals & { traces: number }> {
    const total = zeroUsage();
    const traces = await this.log.listTraces({ agent, limit: AGENT_USAGE_TRACES });
    for (const t of traces) {
      const mine = (await this.of(t)).byAgent.find((a) => a.agent === agent);
      if (mine) addUsage(total, mine, mine.cost, mine.unpriced);
    }
    return { ...total, traces: traces.length };
  }
}
