import { describe, expect, it } from 'vitest';
import { criticalPath } from './criticalPath';
import { treeOf } from './treeFixture';

describe('criticalPath', () => {
  it('[V10] follows the last-finishing child at each level, then the earlier sibling it waited on', () => {
    // root 0–100 calls a (10–40) then b (45–90); b runs c (50–60) and d (55–85) in parallel.
    const t = treeOf([
      { id: 'root', agent: 'orch', start: 0, end: 100 },
      { id: 'a', parent: 'root', agent: 'w1', start: 10, end: 40 },
      { id: 'b', parent: 'root', agent: 'w2', start: 45, end: 90 },
      { id: 'c', parent: 'b', agent: 'w3', start: 50, end: 60 },
      { id: 'd', parent: 'b', agent: 'w4', start: 55, end: 85 },
    ]);
    const cp = criticalPath(t);
    expect([...cp.nodes].sort()).toEqual(['a', 'b', 'd', 'root']);
    expect(cp.segments).toEqual([
      { nodeId: 'root', start: 90, end: 100 },
      { nodeId: 'b', start: 85, end: 90 },
      { nodeId: 'd', start: 55, end: 85 },
      { nodeId: 'b', start: 45, end: 55 },
      { nodeId: 'root', start: 40, end: 45 },
      { nodeId: 'a', start: 10, end: 40 },
      { nodeId: 'root', start: 0, end: 10 },
    ]);
  });

  it('[V10] leaves out a parallel child that finished earlier than the one the parent waited for', () => {
    const t = treeOf([
      { id: 'root', agent: 'orch', start: 0, end: 50 },
      { id: 'fast', parent: 'root', agent: 'w1', start: 5, end: 20 },
      { id: 'slow', parent: 'root', agent: 'w2', start: 5, end: 45 },
    ]);
    const cp = criticalPath(t);
    expect(cp.nodes.has('slow')).toBe(true);
    expect(cp.nodes.has('fast')).toBe(false);
  });

  it('[V10] clips a child that outlasts its parent (clock skew) and picks the root that ends last', () => {
    const t = treeOf([
      { id: 'r1', agent: 'a', start: 0, end: 10 },
      { id: 'r2', agent: 'b', start: 0, end: 30 },
      { id: 'skewed', parent: 'r2', agent: 'c', start: 20, end: 500 },
    ]);
    const cp = criticalPath(t);
    expect(cp.nodes.has('r1')).toBe(false);
    expect(cp.segments[0]).toEqual({ nodeId: 'skewed', start: 20, end: 30 });
    expect(cp.segments.at(-1)).toEqual({ nodeId: 'r2', start: 0, end: 20 });
  });

  it('[V10] a running node counts up to the trace end; an empty trace has no path', () => {
    const t = treeOf([
      { id: 'r', agent: 'a', start: 0, end: 40 },
      { id: 'live', parent: 'r', agent: 'b', start: 10, end: null },
    ]);
    expect(criticalPath(t).nodes.has('live')).toBe(true);
    expect(criticalPath({ ...t, roots: [], order: [] }).segments).toEqual([]);
  });

  it('[V10] stays linear and stack-safe on a 5,000-deep chain', () => {
    const rows = [{ id: 'n0', agent: 'a', start: 0, end: 10_000 }];
    for (let i = 1; i < 5000; i++) rows.push({ id: `n${i}`, parent: `n${i - 1}`, agent: 'a', start: i, end: 10_000 - i } as never);
    expect(criticalPath(treeOf(rows)).nodes.size).toBe(5000);
  });
});
