import { describe, expect, it } from 'vitest';
import type { AgentView } from '../client/overviewState';
import { graphOf } from './graphMemo';

const agent = (name: string): AgentView => ({ idx: 0, name, status: 'idle', connected: true, capabilities: [], lastError: null, load: null, tokens: 0, callsIn: 0, callsOut: 0, inflight: 0, errors: 0, textTail: '' });

describe('graphOf', () => {
  it('returns the same graph for the same inputs and a new one when any input changes', () => {
    const agents = new Map([['a', agent('a')]]);
    const edges = new Map();
    const stateFilter: never[] = [];
    const first = graphOf({ agents, edges, stateFilter, topicFilter: null, grouping: 'never' });
    expect(graphOf({ agents, edges, stateFilter, topicFilter: null, grouping: 'never' })).toBe(first);
    const more = new Map([...agents, ['b', agent('b')]]);
    const second = graphOf({ agents: more, edges, stateFilter, topicFilter: null, grouping: 'never' });
    expect(second).not.toBe(first);
    expect(second.nodes.map((n) => n.id)).toEqual(['a', 'b']);
    expect(graphOf({ agents: more, edges, stateFilter, topicFilter: null, grouping: 'always' })).not.toBe(second);
  });
});
