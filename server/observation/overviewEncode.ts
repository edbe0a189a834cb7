/**
 * Encodes what changed in the swarm model since a cursor as a compact overview payload.
 * Deterministic in (model, cursor), so every client at the same cursor gets the same bytes.
 */
import { STATUS_CODES, type AgentMeta, type AgentRow, type EdgeRow, type FullAgentRow, type OverviewPayload, type ServerRates } from '../../lib/protocol/dashboard';
import type { AgentState, SwarmModel } from '../../lib/model/swarmModel';

/** Characters of recent text each overview row carries: a preview; full text flows in agent/trace scopes. */
export const TEXT_TAIL_CHARS = 16;

const statusCode = (a: AgentState) => STATUS_CODES.indexOf(a.status);

export function agentRow(a: AgentState): FullAgentRow {
  return [a.idx, statusCode(a), a.connected ? 1 : 0, a.tokens, a.callsIn, a.callsOut, a.inflight, a.errors, a.load ? a.load.active : -1, a.load ? a.load.max : 0, a.recentText.slice(-TEXT_TAIL_CHARS)];
}

export function encodeOverview(model: SwarmModel, cursor: number, rates: ServerRates): OverviewPayload {
  const meta: AgentMeta[] = [];
  const agents: AgentRow[] = [];
  for (const a of model.agents.values()) {
    if (a.metaSeq > cursor) meta.push([a.idx, a.name, a.capabilities, a.lastError]);
    if (a.seq <= cursor) continue;
    // Full row when state, calls, errors or load changed; else just the count (and the preview when due).
    if (a.countersSeq > cursor || a.metaSeq > cursor || cursor < 0) agents.push(agentRow(a));
    else agents.push(a.tailSeq > cursor ? [a.idx, a.tokens, a.recentText.slice(-TEXT_TAIL_CHARS)] : [a.idx, a.tokens]);
  }
  const edges: EdgeRow[] = [];
  for (const e of model.edges.values()) {
    if (e.seq <= cursor) continue;
    const to = model.agents.get(e.to)?.idx;
    if (e.kind === 'call') {
      const from = model.agents.get(e.from)?.idx;
      if (from !== undefined && to !== undefined) edges.push([from, to, 0, e.calls, e.inflight, e.errors]);
    } else if (to !== undefined) edges.push([to, e.from, 1, e.calls, e.inflight, e.errors]);
  }
  return { meta, agents, edges, totals: { ...model.totals }, rates };
}
