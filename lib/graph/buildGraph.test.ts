import { describe, expect, it } from 'vitest';
import type { AgentView, EdgeView } from '../client/overviewState';
import { edgeKey } from '../model/swarmModel';
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
    expect(g.links.find((l) => l.id === 'orch worker-1')).toMatchObject({ inflight: 1, kind: 'call' });
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
    expect(g.links.find((l) => l.id === 'orch* worker*')).toMatchObject({ calls: 2, inflight: 1 });
  });
  it('searches labels case-insensitively', () => {
    expect(matchNodes(buildGraph(agents, edges).nodes, 'WORKER').sort()).toEqual(['worker-1', 'worker-2']);
    expect(prefixOf('worker-12.relay')).toBe('worker');
    expect(prefixOf('solo')).toBe('solo');
  });
});
