import { describe, expect, it } from 'vitest';
import { buildAgentGraph, edgePhaseAt } from './agentGraph';
import { treeOf } from './treeFixture';

/** rest → planner (process) → tool (lookup ×2, the second fails) ; planner → writer (draft). */
const t = treeOf([
  { id: 'c1', caller: 'rest', agent: 'planner', name: 'process', start: 0, end: 100, status: 'error' },
  { id: 's1', parent: 'c1', agent: 'planner', name: 'llm.chat', start: 1, end: 90, tokens: 12 },
  { id: 'c2', parent: 's1', caller: 'planner', agent: 'tool', name: 'lookup', start: 10, end: 20 },
  { id: 'c3', parent: 's1', caller: 'planner', agent: 'tool', name: 'lookup', start: 30, end: 70, status: 'error' },
  { id: 'c4', parent: 's1', caller: 'planner', agent: 'writer', name: 'draft', start: 71, end: 80 },
  { id: 'o1', parent: 'c4', agent: 'otel-svc', name: 'db.query', start: 72, end: 75 },
]);

describe('buildAgentGraph', () => {
  it('[V11] one node per agent, one edge per caller→callee pair with counts, latencies and failures', () => {
    const g = buildAgentGraph(t);
    expect(g.nodes.map((n) => n.id)).toEqual(['rest', 'planner', 'tool', 'writer', 'otel-svc']);
    const lookup = g.edges.find((e) => e.id === 'planner→tool')!;
    expect(lookup).toMatchObject({ source: 'planner', target: 'tool', kind: 'call', methods: ['lookup'], failed: 1, p50Ms: 10, maxMs: 40, onFailurePath: true });
    expect(lookup.calls.map((c) => c.nodeId)).toEqual(['c2', 'c3']);
    expect(g.edges.find((e) => e.id === 'planner→writer')).toMatchObject({ failed: 0, onFailurePath: false });
    expect(g.edges.find((e) => e.id === 'writer→otel-svc')).toMatchObject({ kind: 'nested', methods: ['db.query'] });
    expect(g.nodes.find((n) => n.id === 'planner')).toMatchObject({ work: 2, tokens: 12, errors: 1, onFailurePath: true });
  });

  it('[V11] lays callers left of callees, in layers by call distance', () => {
    const g = buildAgentGraph(t);
    const layer = new Map(g.nodes.map((n) => [n.id, n.layer]));
    expect([...layer]).toEqual([
      ['rest', 0],
      ['planner', 1],
      ['tool', 2],
      ['writer', 2],
      ['otel-svc', 3],
    ]);
    expect(g.layers).toBe(4);
    expect(g.rows).toBe(2);
    const ys = g.nodes.filter((n) => n.layer === 2).map((n) => n.y);
    expect(new Set(ys).size).toBe(2);
  });

  it('[V11] a cycle of agents still gets a layout, and a trace with no calls has agents but no edges', () => {
    const cyc = buildAgentGraph(
      treeOf([
        { id: 'x', caller: 'a', agent: 'b', start: 0, end: 10 },
        { id: 'y', parent: 'x', caller: 'b', agent: 'a', start: 1, end: 9 },
      ]),
    );
    expect(cyc.nodes.map((n) => [n.id, n.layer])).toEqual([
      ['a', 0],
      ['b', 1],
    ]);
    const solo = buildAgentGraph(treeOf([{ id: 's', agent: 'only', start: 0, end: 1 }]));
    expect(solo.edges).toEqual([]);
    expect(solo.nodes).toHaveLength(1);
  });

  it('[V11] replay: an edge is future before its first call, active while one runs, done after', () => {
    const e = buildAgentGraph(t).edges.find((x) => x.id === 'planner→tool')!;
    expect(edgePhaseAt(e, 5)).toBe('future');
    expect(edgePhaseAt(e, 15)).toBe('active');
    expect(edgePhaseAt(e, 25)).toBe('done');
    expect(edgePhaseAt(e, 50)).toBe('active');
    expect(edgePhaseAt(e, null)).toBe('done');
  });
});
