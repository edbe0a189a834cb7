import { describe, expect, it } from 'vitest';
import { traceNodes } from './nodeMap';
import { treeOf } from './treeFixture';
import { foldPastDepth, nextMatch, searchTrace, unfoldTo, visibleRows } from './waterfallRows';

const t = treeOf([
  { id: 'r', agent: 'orch', start: 0, end: 100 },
  { id: 'a', parent: 'r', agent: 'planner', start: 1, end: 50, text: 'Plan: lookup in the index' },
  { id: 'a1', parent: 'a', agent: 'tool', name: 'lookup', start: 2, end: 30 },
  { id: 'a2', parent: 'a1', agent: 'db', start: 3, end: 20 },
  { id: 'b', parent: 'r', agent: 'writer', start: 51, end: 99 },
]);
const nodes = traceNodes(t);

describe('waterfall rows', () => {
  it('[V10] folding a node hides its whole subtree and nothing else', () => {
    expect(visibleRows(t.order, nodes, new Set())).toEqual(['r', 'a', 'a1', 'a2', 'b']);
    expect(visibleRows(t.order, nodes, new Set(['a']))).toEqual(['r', 'a', 'b']);
    expect(visibleRows(t.order, nodes, new Set(['a1']))).toEqual(['r', 'a', 'a1', 'b']);
    expect(visibleRows(t.order, nodes, new Set(['r']))).toEqual(['r']);
  });

  it('[V10] fold past a depth folds exactly the nodes at that depth that have children', () => {
    expect([...foldPastDepth(t.order, nodes, 1)]).toEqual(['a']);
    expect([...foldPastDepth(t.order, nodes, 0)]).toEqual(['r']);
    expect([...foldPastDepth(t.order, nodes, 5)]).toEqual([]);
  });

  it('[V10] jumping to a hidden row unfolds its ancestors only', () => {
    const folded = new Set(['r', 'a', 'a1', 'b']);
    expect([...unfoldTo(nodes, folded, 'a2')].sort()).toEqual(['b']);
  });

  it('[V10] search matches agent, method and text; next/previous wrap around', () => {
    expect(searchTrace(t, nodes, 'LOOKUP')).toEqual(['a', 'a1']);
    expect(searchTrace(t, nodes, '  ')).toEqual([]);
    const m = ['a', 'a1'];
    expect(nextMatch(m, null)).toBe('a');
    expect(nextMatch(m, 'a')).toBe('a1');
    expect(nextMatch(m, 'a1')).toBe('a');
    expect(nextMatch(m, 'a', true)).toBe('a1');
    expect(nextMatch([], 'a')).toBeNull();
  });
});
