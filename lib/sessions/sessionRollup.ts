/** A session's timeline rows and its usage, from the trees of its traces (pure). */
import type { TraceTree } from '../trace/buildTrace';
import { addUsage, zeroUsage, type UsageTotals } from '../trace/usageRollup';

/** One trace on a session's timeline. */
export interface SessionTraceRow {
  trace_id: string;
  /** The root's name (the first root in causal order): what the turn was. */
  name: string;
  start: number;
  end: number;
  status: TraceTree['status'];
  agents: string[];
  tokens: number;
  usage: UsageTotals;
}

export interface SessionDetail {
  session_id: string;
  first_ts: number;
  last_ts: number;
  traces: SessionTraceRow[];
  /** Traces in the session beyond those read into this answer (oldest left out). */
  omitted: number;
  agents: string[];
  usage: UsageTotals;
  byAgent: (UsageTotals & { agent: string })[];
  byModel: (UsageTotals & { model: string })[];
}

function mergeInto<K extends 'agent' | 'model'>(into: Map<string, UsageTotals & Record<K, string>>, key: K, rows: readonly (UsageTotals & Record<K, string>)[]): void {
  for (const r of rows) {
    let t = into.get(r[key]);
    if (!t) into.set(r[key], (t = { ...zeroUsage(), [key]: r[key] } as UsageTotals & Record<K, string>));
    addUsage(t, r, r.cost, r.unpriced);
  }
}

export function rollUpSession(sessionId: string, trees: readonly TraceTree[], omitted: number): SessionDetail {
  const usage = zeroUsage();
  const byAgent = new Map<string, UsageTotals & { agent: string }>();
  const byModel = new Map<string, UsageTotals & { model: string }>();
  const agents = new Set<string>();
  const rows: SessionTraceRow[] = [];
  for (const t of trees) {
    addUsage(usage, t.usage, t.usage.cost, t.usage.unpriced);
    mergeInto(byAgent, 'agent', t.byAgent);
    mergeInto(byModel, 'model', t.byModel);
    for (const a of t.agents) agents.add(a);
    const root = t.roots[0] ? t.nodes[t.roots[0]] : undefined;
    rows.push({ trace_id: t.traceId, name: root?.name ?? '', start: t.start, end: t.end, status: t.status, agents: t.agents, tokens: t.tokens, usage: t.usage });
  }
  rows.sort((a, b) => a.start - b.start);
  const bySize = (x: UsageTotals, y: UsageTotals) => y.input + y.output - (x.input + x.output);
  return {
    session_id: sessionId,
    first_ts: rows.length ? Math.min(...rows.map((r) => r.start)) : 0,
    last_ts: rows.length ? Math.max(...rows.map((r) => r.end)) : 0,
    traces: rows,
    omitted,
    agents: [...agents].sort(),
    usage,
    byAgent: [...byAgent.values()].sort(bySize),
    byModel: [...byModel.values()].sort(bySize),
  };
}
