import { describe, expect, it } from 'vitest';
import { alignTraces, diffCounts, divergenceAt } from './alignTraces';
import { treeOf } from './treeFixture';

const good = treeOf([
  { id: 'a1', caller: 'rest', agent: 'planner', start: 0, end: 100, text: 'Plan: A then B' },
  { id: 'a2', parent: 'a1', caller: 'planner', agent: 'tool', name: 'lookup', start: 10, end: 40, tokens: 3 },
  { id: 'a3', parent: 'a1', caller: 'planner', agent: 'tool', name: 'lookup', start: 41, end: 50, tokens: 3 },
  { id: 'a4', parent: 'a1', caller: 'planner', agent: 'writer', name: 'draft', start: 51, end: 90 },
]);
// Same shape with other span ids; the second lookup failed and took far longer; no draft; an extra retry.
const bad = treeOf([
  { id: 'b1', caller: 'rest', agent: 'planner', start: 1000, end: 1400, status: 'error', text: 'Plan: A then B' },
  { id: 'b2', parent: 'b1', caller: 'planner', agent: 'tool', name: 'lookup', start: 1010, end: 1042, tokens: 3 },
  { id: 'b3', parent: 'b1', caller: 'planner', agent: 'tool', name: 'lookup', start: 1043, end: 1300, tokens: 1, status: 'error' },
  { id: 'b5', parent: 'b1', caller: 'planner', agent: 'tool', name: 'retry', start: 1301, end: 1310 },
]);

describe('alignTraces', () => {
  it('[V12] aligns by caller→agent·method path, k-th sibling with k-th, whatever the span ids', () => {
    const rows = alignTraces(good, bad);
    expect(rows.map((r) => [r.a?.id ?? null, r.b?.id ?? null, r.depth])).toEqual([
      ['a1', 'b1', 0],
      ['a2', 'b2', 1],
      ['a3', 'b3', 1],
      ['a4', null, 1],
      [null, 'b5', 1],
    ]);
    expect(rows[2].key).toBe('rest→planner·process#0/planner→tool·lookup#1');
  });

  it('[V12] marks status, duration, tokens and text differences, and one-sided nodes', () => {
    const rows = alignTraces(good, bad);
    expect(rows[0].diffs).toEqual(['status', 'duration']);
    expect(rows[1].diffs).toEqual([]); // 30 vs 32 ms: jitter, not a difference
    expect(rows[2].diffs).toEqual(['status', 'duration', 'tokens']);
    expect(rows[3].diffs).toEqual(['only-a']);
    expect(rows[4].diffs).toEqual(['only-b']);
    expect(diffCounts(rows).get('status')).toBe(2);
  });

  it('[V12] a trace compared with itself has no differences', () => {
    expect(alignTraces(good, good).every((r) => r.diffs.length === 0)).toBe(true);
  });
});

describe('divergenceAt', () => {
  it('[V12] finds where two texts part ways', () => {
    expect(divergenceAt('Plan: A then B', 'Plan: A then C')).toBe(13);
    expect(divergenceAt('abc', 'abcdef')).toBe(3);
    expect(divergenceAt('same', 'same')).toBeNull();
  });
});
