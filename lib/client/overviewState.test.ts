import { describe, expect, it } from 'vitest';
import type { AgentRow, Delta, EdgeRow, Snapshot } from '../protocol/dashboard';
import { HOSTILE_NAMES, prototypeIsClean } from '../testing/hostileNames';
import { edgeKey } from '../model/swarmModel';
import { applyOverviewDelta, applyOverviewSnapshot, emptyOverview } from './overviewState';

const totals = { events: 0, tokens: 0, calls: 0, errors: 0 };
const rates = { eventsPerSec: 0, tokensPerSec: 0 };
const row = (idx: number, tokens: number, status = 0): AgentRow => [idx, status, 1, tokens, 0, 0, 0, 0, -1, 0, ''];
const snapshot: Extract<Snapshot, { kind: 'overview' }> = {
  sub: 'overview',
  kind: 'overview',
  seq: 10,
  meta: [
    [0, 'a', ['process'], null],
    [1, 'b', [], null],
  ],
  agents: [row(0, 3), row(1, 0)],
  edges: [[0, 1, 0, 2, 1, 0]],
  totals,
  rates,
};
const delta = (from: number, to: number, extra: Partial<Extract<Delta, { kind: 'overview' }>> = {}): Extract<Delta, { kind: 'overview' }> => ({ sub: 'overview', kind: 'overview', from, to, meta: [], agents: [], edges: [], totals, rates, ...extra });

describe('overview state', () => {
  const snap = applyOverviewSnapshot(emptyOverview, snapshot);

  it('decodes a snapshot of compact rows into agents and edges', () => {
    expect(snap.seq).toBe(10);
    expect(snap.agents.get('a')!).toMatchObject({ name: 'a', tokens: 3, connected: true, capabilities: ['process'], status: 'idle', load: null });
    expect(snap.edges.get(edgeKey('call', 'a', 'b'))).toMatchObject({ from: 'a', to: 'b', kind: 'call', calls: 2, inflight: 1 });
  });

  it('merges contiguous deltas last-write-wins, learning new names from meta', () => {
    const r = applyOverviewDelta(snap, delta(11, 15, { meta: [[2, 'c', [], null]], agents: [row(0, 7, 2), row(2, 1)], edges: [[2, 'swarm.health', 1, 4, 0, 0]] }));
    expect(r.gap).toBe(false);
    expect(r.state.seq).toBe(15);
    expect(r.state.agents.get('a')!).toMatchObject({ tokens: 7, status: 'streaming', capabilities: ['process'] });
    expect(r.state.agents.get('c')!.tokens).toBe(1);
    expect(r.state.edges.get(edgeKey('topic', 'swarm.health', 'c'))).toMatchObject({ kind: 'topic', from: 'swarm.health', to: 'c', calls: 4 });
  });

  it('reports a gap and leaves the data unchanged', () => {
    const r = applyOverviewDelta(snap, delta(12, 15, { agents: [row(0, 99)] }));
    expect(r.gap).toBe(true);
    expect(r.state.seq).toBe(10);
    expect(r.state.agents.get('a')!.tokens).toBe(3);
    expect(r.state.gaps).toBe(1);
  });

  it('never applies a replayed delta twice', () => {
    const r1 = applyOverviewDelta(snap, delta(11, 12));
    expect(applyOverviewDelta(r1.state, delta(11, 12)).gap).toBe(true);
  });
});

describe('[G6] hostile agent names and topics', () => {
  // Every name gets an index; each calls the next; each hears a topic of the same hostile name.
  const names = HOSTILE_NAMES;
  const hostileSnapshot: Extract<Snapshot, { kind: 'overview' }> = {
    ...snapshot,
    meta: names.map((n, i) => [i, n, [n], null]),
    agents: names.map((_, i) => row(i, i + 1, 2)),
    edges: [...names.map((_, i): EdgeRow => [i, (i + 1) % names.length, 0, 1, 0, 0]), ...names.map((n, i): EdgeRow => [i, n, 1, 2, 0, 0])],
  };

  it.each(names.map((n) => [n.slice(0, 40), n]))('keeps %s as an ordinary agent with its own counters and edges', (_label, name) => {
    const s = applyOverviewSnapshot(emptyOverview, hostileSnapshot);
    const i = names.indexOf(name);
    expect(s.agents.size).toBe(names.length);
    expect(s.agents.get(name)).toMatchObject({ name, idx: i, tokens: i + 1, status: 'streaming', connected: true, capabilities: [name] });
    expect(s.edges.get(edgeKey('call', name, names[(i + 1) % names.length]))).toMatchObject({ from: name, calls: 1 });
    expect(s.edges.get(edgeKey('topic', name, name))).toMatchObject({ kind: 'topic', from: name, to: name, calls: 2 });
    // A delta for it lands on it alone.
    const r = applyOverviewDelta(s, delta(11, 11, { agents: [[i, 999]] }));
    expect(r.state.agents.get(name)!.tokens).toBe(999);
    expect([...r.state.agents.values()].filter((a) => a.tokens === 999)).toHaveLength(1);
    expect(prototypeIsClean()).toBe(true);
  });
});
