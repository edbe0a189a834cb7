/**
 * Pure shaping of the overview as the browser holds it: apply a snapshot, merge a compact
 * delta (agents by index, last-write-wins), and detect a seq gap that needs a resync.
 *
 * Agent names and topics are chosen by agents, so everything keyed by them is a `Map`: in a
 * plain object an agent called `constructor` read back `Object` and crashed every dashboard,
 * and one called `__proto__` replaced the prototype instead of appearing. A new delta gets new
 * Maps (copy on write), so React and zustand see a changed reference.
 */
import { STATUS_CODES, type AgentMeta, type AgentRow, type FullAgentRow, type Delta, type EdgeRow, type OverviewPayload, type ServerRates, type Snapshot, type SwarmTotalsWire } from '../protocol/dashboard';
import { edgeKey, type AgentStatus, type EdgeState } from '../model/swarmModel';

export interface AgentView {
  idx: number;
  name: string;
  status: AgentStatus;
  connected: boolean;
  capabilities: string[];
  lastError: string | null;
  load: { active: number; max: number } | null;
  tokens: number;
  callsIn: number;
  callsOut: number;
  inflight: number;
  errors: number;
  /** A short preview of what it is writing now. */
  textTail: string;
}

export type EdgeView = Omit<EdgeState, 'lastTs' | 'seq'>;

export interface OverviewState {
  /** Last seq applied; -1 before the first snapshot. */
  seq: number;
  /** Agents by name; `names` maps the wire index to the name. */
  agents: ReadonlyMap<string, AgentView>;
  names: ReadonlyMap<number, string>;
  /** Edges by `edgeKey(kind, from, to)`. */
  edges: ReadonlyMap<string, EdgeView>;
  totals: SwarmTotalsWire;
  rates: ServerRates;
  deltasApplied: number;
  gaps: number;
}

export const emptyOverview: OverviewState = {
  seq: -1,
  agents: new Map(),
  names: new Map(),
  edges: new Map(),
  totals: { events: 0, tokens: 0, calls: 0, errors: 0 },
  rates: { eventsPerSec: 0, tokensPerSec: 0 },
  deltasApplied: 0,
  gaps: 0,
};

function blankAgent(idx: number, name: string): AgentView {
  return { idx, name, status: 'idle', connected: false, capabilities: [], lastError: null, load: null, tokens: 0, callsIn: 0, callsOut: 0, inflight: 0, errors: 0, textTail: '' };
}

type Keyed = Pick<OverviewState, 'agents' | 'names' | 'edges'>;

function merge(prev: OverviewState, p: OverviewPayload, base: Keyed) {
  const touchesAgents = p.meta.length > 0 || p.agents.length > 0;
  const agents = touchesAgents ? new Map(base.agents) : base.agents;
  const names = p.meta.length ? new Map(base.names) : base.names;
  const put = agents as Map<string, AgentView>;
  for (const [idx, name, capabilities, lastError] of p.meta as AgentMeta[]) {
    (names as Map<number, string>).set(idx, name);
    put.set(name, { ...(agents.get(name) ?? blankAgent(idx, name)), capabilities, lastError });
  }
  for (const row of p.agents as AgentRow[]) {
    const name = names.get(row[0]);
    if (name === undefined) continue; // cannot happen with a contiguous stream: meta precedes rows
    if (row.length <= 3) {
      // Only the token count moved (and maybe the preview).
      const prev = agents.get(name) ?? blankAgent(row[0], name);
      put.set(name, { ...prev, tokens: row[1], textTail: row.length === 3 ? row[2] : prev.textTail });
      continue;
    }
    const [idx, status, connected, tokens, callsIn, callsOut, inflight, errors, loadActive, loadMax, textTail] = row as FullAgentRow;
    put.set(name, {
      ...(agents.get(name) ?? blankAgent(idx, name)),
      status: STATUS_CODES[status] ?? 'idle',
      connected: connected === 1,
      tokens,
      callsIn,
      callsOut,
      inflight,
      errors,
      load: loadActive >= 0 ? { active: loadActive, max: loadMax } : null,
      textTail,
    });
  }
  const edges = p.edges.length ? new Map(base.edges) : base.edges;
  for (const [fromIdx, to, kind, calls, inflight, errors] of p.edges as EdgeRow[]) {
    const from = kind === 0 ? names.get(fromIdx) : String(to);
    const target = kind === 0 ? names.get(to as number) : names.get(fromIdx);
    if (from === undefined || target === undefined) continue;
    const edgeKind = kind === 0 ? 'call' : 'topic';
    const key = edgeKey(edgeKind, from, target);
    (edges as Map<string, EdgeView>).set(key, { key, from, to: target, kind: edgeKind, calls, inflight, errors });
  }
  return { ...prev, agents, names, edges, totals: p.totals, rates: p.rates };
}

export function applyOverviewSnapshot(prev: OverviewState, s: Extract<Snapshot, { kind: 'overview' }>): OverviewState {
  return { ...merge(prev, s, emptyOverview), seq: s.seq, deltasApplied: 0 };
}

/** Merges a delta if it starts right after what we have; otherwise reports a gap and changes nothing else. */
export function applyOverviewDelta(prev: OverviewState, d: Extract<Delta, { kind: 'overview' }>): { state: OverviewState; gap: boolean } {
  if (prev.seq < 0 || d.from !== prev.seq + 1 || d.to < d.from) return { state: { ...prev, gaps: prev.gaps + 1 }, gap: true };
  return { state: { ...merge(prev, d, prev), seq: d.to, deltasApplied: prev.deltasApplied + 1 }, gap: false };
}
