import { describe, expect, it } from 'vitest';
import type { AgentView, EdgeView } from '../client/overviewState';
import { edgeKey } from '../model/swarmModel';
import { HOSTILE_NAMES, prototypeIsClean } from '../testing/hostileNames';
import { buildGraph, matchNodes, prefixOf } from './buildGraph';

const agent = (name: string, p: Partial<AgentView> = {}): AgentView => ({ idx: 0, name, status: 'idle', connected: true, capabilities: [], lastError: null, load: null, tokens: 0, callsIn: 0, callsOut: 0, inflight: 0, errors: 0, textTail: '', ...p });
const call = (from: string, to: string, p: Partial<EdgeView> = {}): EdgeView => ({ key: edgeKey('call', from, to), from, to, kind: 'call', calls: 1, inflight: 0, errors: 0, ...p });
const topic = (t: string, a: string): EdgeView => ({ key: edgeKey('topic', t, a), from: t, to: a, kind: 'topic', calls: 3, inflight: 0, errors: 0 });

const agents = new Map([agent('orch'), agent('worker-1', { status: 'error', errors: 2 }), agent('worker-2', { status: 'streaming', tokens: 50 }), agent('gone-1', { status: 'gone' })].map((a) => [a.name, a]));
const edges = new Map([call('orch', 'worker-1', { inflight: 1 }), call('orch', 'worker-2'), topic('swarm.health', 'worker-2')].map((e) => [e.key, e]));

describe('buildGraph', () => {
  it('makes agent and topic nodes with call and topic links', () => {
    const g = buildGraph(agents, edges);
    expect(g.nodes.map((n) => n.id).sort()).toEqual(['#swarm.health', 'gone-1', 'orch', 'worker-1', 'worker-2']);
    expect(g.links.find((l) => l.id === edgeKey('call', 'orch', 'worker-1'))).toMatchObject({ inflight: 1, kind: 'call' });
    expect(g.links.find((l) => l.kind === 'topic')).toMatchObject({ source: 'worker-2', target: '#swarm.health' });
    expect(g.grouped).toBe(false);
    expect(g.nodes.find((n) => n.id === 'worker-2')!.radius).toBeGreaterThan(g.nodes.find((n) => n.id === 'orch')!.radius);
  });
  it('filters by state and by topic, dropping links to hidden nodes', () => {
    const byState = buildGraph(agents, edges, { states: new Set(['error', 'streaming'] as const) });
    expect(byState.nodes.filter((n) => n.kind === 'agent').map((n) => n.id).sort()).toEqual(['worker-1', 'worker-2']);
    expect(byState.links.filter((l) => l.kind === 'call')).toEqual([]);
    const byTopic = buildGraph(agents, edges, { topic: 'swarm.health' });
    expect(byTopic.nodes.filter((n) => n.kind === 'agent').map((n) => n.id)).toEqual(['worker-2']);
  });
  it('groups by name prefix past the threshold, keeping the worst state and summed counters', () => {
    const g = buildGraph(agents, edges, { group: 'auto', groupThreshold: 3 });
    expect(g.grouped).toBe(true);
    const workers = g.nodes.find((n) => n.id === 'worker*')!;
    expect(workers).toMatchObject({ members: 2, status: 'error', tokens: 50, errors: 2, kind: 'group' });
    expect(g.links.find((l) => l.id === edgeKey('call', 'orch*', 'worker*'))).toMatchObject({ calls: 2, inflight: 1 });
  });
  it('searches labels case-insensitively', () => {
    expect(matchNodes(buildGraph(agents, edges).nodes, 'WORKER').sort()).toEqual(['worker-1', 'worker-2']);
    expect(prefixOf('worker-12.relay')).toBe('worker');
    expect(prefixOf('solo')).toBe('solo');
  });
});

describe('[G6] hostile agent names and topics', () => {
  const hostileAgents = new Map(HOSTILE_NAMES.map((n, i) => [n, agent(n, { tokens: i, errors: 1 })]));
  const hostileEdges = new Map(
    HOSTILE_NAMES.flatMap((n, i) => [call(n, HOSTILE_NAMES[(i + 1) % HOSTILE_NAMES.length]), topic(n, n)]).map((e) => [e.key, e]),
  );

  it('gives every hostile agent and topic its own node, and every edge its link', () => {
    const g = buildGraph(hostileAgents, hostileEdges, { group: 'never' });
    const agentsShown = g.nodes.filter((n) => n.kind === 'agent');
    expect(agentsShown.map((n) => n.id).sort()).toEqual([...HOSTILE_NAMES].sort());
    expect(g.nodes.filter((n) => n.kind === 'topic')).toHaveLength(HOSTILE_NAMES.length);
    expect(new Set(g.nodes.map((n) => n.id)).size).toBe(g.nodes.length);
    expect(g.links.filter((l) => l.kind === 'call')).toHaveLength(HOSTILE_NAMES.length);
    expect(g.links.filter((l) => l.kind === 'topic')).toHaveLength(HOSTILE_NAMES.length);
    for (const [i, n] of HOSTILE_NAMES.entries()) expect(g.nodes.find((x) => x.id === n)).toMatchObject({ label: n, tokens: i, errors: 1 });
    expect(buildGraph(hostileAgents, hostileEdges, { topic: 'constructor' }).nodes.filter((n) => n.kind === 'agent').map((n) => n.id)).toEqual(['constructor']);
    expect(matchNodes(g.nodes, '__proto__')).toContain('__proto__');
    expect(prototypeIsClean()).toBe(true);
  });

  it('groups hostile names by prefix without losing members', () => {
    const g = buildGraph(hostileAgents, hostileEdges, { group: 'always' });
    expect(g.nodes.filter((n) => n.kind === 'group').reduce((s, n) => s + n.members, 0)).toBe(HOSTILE_NAMES.length);
  });

  it('never lets an agent named like a topic or group node take its place', () => {
    // Names cannot hold `#` or `*` (the name rule holds on every ingest path), so those ids are free.
    const sneaky = new Map([agent('topic:swarm.health'), agent('group:worker'), agent('worker-2')].map((a) => [a.name, a]));
    const g = buildGraph(sneaky, new Map([topic('swarm.health', 'worker-2')].map((e) => [e.key, e])), { group: 'never' });
    expect(g.nodes.filter((n) => n.kind === 'topic').map((n) => n.id)).toEqual(['#swarm.health']);
    expect(g.nodes.find((n) => n.id === 'topic:swarm.health')?.kind).toBe('agent');
  });
});
