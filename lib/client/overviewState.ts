/**
 * Pure shaping of the overview as the browser holds it: apply a snapshot, merge a delta
 * (agents and edges last-write-wins by key), and detect a seq gap that needs a resync.
 */
import type { OverviewDelta, OverviewSnapshot, ServerRates } from '../protocol/dashboard';
import type { AgentState, EdgeState, SwarmTotals } from '../model/swarmModel';

export interface OverviewState {
  /** Last seq applied; -1 before the first snapshot. */
  seq: number;
  agents: Record<string, AgentState>;
  edges: Record<string, EdgeState>;
  totals: SwarmTotals;
  rates: ServerRates;
  /** Deltas applied since the last snapshot, and gaps detected (each triggers a resync). */
  deltasApplied: number;
  gaps: number;
}

export const emptyOverview: OverviewState = {
  seq: -1,
  agents: {},
  edges: {},
  totals: { events: 0, tokens: 0, calls: 0, errors: 0 },
  rates: { eventsPerSec: 0, tokensPerSec: 0 },
  deltasApplied: 0,
  gaps: 0,
};

export function applySnapshot(prev: OverviewState, s: OverviewSnapshot): OverviewState {
  return {
    seq: s.seq,
    agents: Object.fromEntries(s.agents.map((a) => [a.name, a])),
    edges: Object.fromEntries(s.edges.map((e) => [e.key, e])),
    totals: s.totals,
    rates: s.rates,
    deltasApplied: 0,
    gaps: prev.gaps,
  };
}

export type DeltaResult = { state: OverviewState; gap: false } | { state: OverviewState; gap: true };

/** Merges a delta if it starts right after what we have; otherwise reports a gap and changes nothing but the gap count. */
export function applyDelta(prev: OverviewState, d: OverviewDelta): DeltaResult {
  if (d.from !== prev.seq + 1 || d.to < d.from) return { state: { ...prev, gaps: prev.gaps + 1 }, gap: true };
  const agents = d.agents.length ? { ...prev.agents } : prev.agents;
  for (const a of d.agents) agents[a.name] = a;
  const edges = d.edges.length ? { ...prev.edges } : prev.edges;
  for (const e of d.edges) edges[e.key] = e;
  return { state: { ...prev, seq: d.to, agents, edges, totals: d.totals, rates: d.rates, deltasApplied: prev.deltasApplied + 1 }, gap: false };
}
