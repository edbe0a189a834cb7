import { describe, expect, it } from 'vitest';
import { newAgentState, type AgentState } from '../model/swarmModel';
import { applyDelta, applySnapshot, emptyOverview } from './overviewState';

const agent = (name: string, seq: number, tokens = 0): AgentState => ({ ...newAgentState(name, seq, 0), connected: true, tokens });
const totals = { events: 0, tokens: 0, calls: 0, errors: 0 };
const rates = { eventsPerSec: 0, tokensPerSec: 0 };

describe('overview state', () => {
  const snap = applySnapshot(emptyOverview, { scope: { kind: 'overview' }, seq: 10, agents: [agent('a', 3), agent('b', 10)], edges: [], totals, rates });

  it('applies a snapshot', () => {
    expect(snap.seq).toBe(10);
    expect(Object.keys(snap.agents)).toEqual(['a', 'b']);
  });

  it('merges contiguous deltas last-write-wins', () => {
    const r1 = applyDelta(snap, { from: 11, to: 15, agents: [agent('a', 15, 7), agent('c', 12)], edges: [], totals: { ...totals, tokens: 7 }, rates });
    expect(r1.gap).toBe(false);
    expect(r1.state.seq).toBe(15);
    expect(r1.state.agents.a.tokens).toBe(7);
    expect(Object.keys(r1.state.agents).sort()).toEqual(['a', 'b', 'c']);
    expect(r1.state.totals.tokens).toBe(7);
    expect(r1.state.deltasApplied).toBe(1);
  });

  it('reports a gap and leaves the data unchanged', () => {
    const r = applyDelta(snap, { from: 12, to: 15, agents: [agent('z', 15)], edges: [], totals, rates });
    expect(r.gap).toBe(true);
    expect(r.state.seq).toBe(10);
    expect(r.state.agents.z).toBeUndefined();
    expect(r.state.gaps).toBe(1);
  });

  it('treats a replayed (old) delta as a gap, never applying it twice', () => {
    const r1 = applyDelta(snap, { from: 11, to: 12, agents: [], edges: [], totals, rates });
    expect(applyDelta(r1.state, { from: 11, to: 12, agents: [], edges: [], totals, rates }).gap).toBe(true);
  });
});
