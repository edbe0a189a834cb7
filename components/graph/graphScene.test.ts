import { describe, expect, it } from 'vitest';
import type { AgentView, EdgeView } from '../../lib/client/overviewState';
import type { XrayState } from '../../lib/client/store';
import { edgeKey } from '../../lib/model/keys';
import { GraphScene } from './graphScene';

const agent = (name: string, over: Partial<AgentView> = {}): AgentView => ({ idx: 0, name, status: 'idle', connected: true, capabilities: [], lastError: null, load: null, tokens: 0, callsIn: 0, callsOut: 0, inflight: 0, errors: 0, textTail: '', ...over });
const call = (from: string, to: string, calls = 1): EdgeView => ({ key: `call ${from} ${to}`, kind: 'call', from, to, calls, inflight: 0, errors: 0 }) as EdgeView;

function state(agents: AgentView[], edges: EdgeView[] = [], search = ''): XrayState {
  return { overview: { agents: new Map(agents.map((a) => [a.name, a])), edges: new Map(edges.map((e) => [e.key, e])) }, stateFilter: [], topicFilter: null, grouping: 'never', search } as unknown as XrayState;
}

describe('GraphScene', () => {
  it('the first sync is a structural layout message naming every node', () => {
    const scene = new GraphScene();
    const m = scene.sync(state([agent('a'), agent('b')], [call('a', 'b')]), null, 0)!;
    expect(m.structural).toBe(true);
    expect(m.ids).toEqual(['a', 'b']);
    expect([...m.links]).toEqual([0, 1]);
    expect(scene.links[0].source).toBe(scene.nodes[0]);
  });

  it('a node keeps its object (and position) across syncs; nothing new means no layout message', () => {
    const scene = new GraphScene();
    const s = state([agent('a'), agent('b')]);
    scene.sync(s, null, 0);
    const a = scene.nodes[0];
    a.x = 12;
    expect(scene.sync(s, null, 1)).toBeNull();
    expect(scene.nodes[0]).toBe(a);
    expect(scene.nodes[0].x).toBe(12);
  });

  it('a new agent is a structural change with a new version; positions for the old version are stale', () => {
    const scene = new GraphScene();
    scene.sync(state([agent('a')]), null, 0);
    const v = scene.layoutVersion();
    const m = scene.sync(state([agent('a'), agent('b')]), null, 1)!;
    expect(m.structural).toBe(true);
    expect(scene.layoutVersion()).toBe(v + 1);
  });

  it('a token count that changes a radius updates the node in place and, while collision is on, tells the layout', () => {
    const scene = new GraphScene();
    scene.sync(state([agent('a')]), null, 0);
    const a = scene.nodes[0];
    const m = scene.sync(state([agent('a', { tokens: 5000 })]), null, 1)!;
    expect(m.structural).toBe(false);
    expect(scene.nodes[0]).toBe(a);
    expect(a.tokens).toBe(5000);
  });

  it('an error count that rises flashes the node for two seconds', () => {
    const scene = new GraphScene();
    scene.sync(state([agent('a')]), null, 0);
    expect(scene.animating(10)).toBe(false);
    scene.sync(state([agent('a', { errors: 1 })]), null, 100);
    expect(scene.nodes[0].flashUntil).toBe(2100);
    expect(scene.animating(2000)).toBe(true);
    expect(scene.animating(2200)).toBe(false);
  });

  it('a replayed window replaces the live call edges', () => {
    const scene = new GraphScene();
    const s = state([agent('a'), agent('b'), agent('c')], [call('a', 'b', 3)]);
    scene.sync(s, null, 0);
    expect(scene.links.map((l) => l.id)).toEqual([edgeKey('call', 'a', 'b')]);
    scene.sync(s, { label: 'x', edges: [{ from: 'b', to: 'c', calls: 2, errors: 0 }] } as never, 1);
    expect(scene.links.map((l) => l.id)).toEqual([edgeKey('call', 'b', 'c')]);
  });

  it('search matches by label', () => {
    const scene = new GraphScene();
    scene.sync(state([agent('alpha'), agent('beta')], [], 'alp'), null, 0);
    expect([...scene.matches]).toEqual(['alpha']);
  });
});
