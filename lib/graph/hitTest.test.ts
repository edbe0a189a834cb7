import { describe, expect, it } from 'vitest';
import { NodeIndex } from './hitTest';

/** The linear scan the index replaces: the reference it must agree with. */
function linear(nodes: { x: number; y: number; radius: number }[], wx: number, wy: number, slack: number) {
  let best = null;
  let bestD = Infinity;
  for (const n of nodes) {
    const d = Math.hypot(n.x - wx, n.y - wy);
    if (d <= n.radius + slack && d < bestD) {
      best = n;
      bestD = d;
    }
  }
  return best;
}

describe('NodeIndex', () => {
  it('finds the node under a point, and none off every disc', () => {
    const nodes = [
      { id: 'a', x: 0, y: 0, radius: 5 },
      { id: 'b', x: 100, y: 0, radius: 20 },
    ];
    const index = new NodeIndex<{ id: string; x: number; y: number; radius: number }>();
    expect(index.nodeAt(nodes, 3, 0, 0)?.id).toBe('a');
    expect(index.nodeAt(nodes, 115, 0, 0)?.id).toBe('b');
    expect(index.nodeAt(nodes, 50, 0, 0)).toBeNull();
    expect(index.nodeAt(nodes, 7, 0, 3)?.id).toBe('a'); // the slack widens the target
  });

  it('a big disc wins over a nearer small node whose disc misses the point', () => {
    const nodes = [
      { id: 'big', x: 0, y: 0, radius: 28 },
      { id: 'small', x: 30, y: 0, radius: 4 },
    ];
    expect(new NodeIndex<{ id: string; x: number; y: number; radius: number }>().nodeAt(nodes, 25, 0, 0)?.id).toBe('big');
  });

  it('agrees with a linear scan over 5,000 random nodes', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const nodes = Array.from({ length: 5000 }, (_, i) => ({ id: String(i), x: rand() * 4000 - 2000, y: rand() * 4000 - 2000, radius: 5 + rand() * 23 }));
    const index = new NodeIndex<{ id: string; x: number; y: number; radius: number }>();
    for (let i = 0; i < 500; i++) {
      const wx = rand() * 4000 - 2000;
      const wy = rand() * 4000 - 2000;
      expect(index.nodeAt(nodes, wx, wy, 2)).toBe(linear(nodes, wx, wy, 2));
    }
  });

  it('sees moved nodes only after invalidate()', () => {
    const nodes = [{ id: 'a', x: 0, y: 0, radius: 5 }];
    const index = new NodeIndex<{ id: string; x: number; y: number; radius: number }>();
    expect(index.nodeAt(nodes, 0, 0, 0)?.id).toBe('a');
    nodes[0].x = 500;
    index.invalidate();
    expect(index.nodeAt(nodes, 0, 0, 0)).toBeNull();
    expect(index.nodeAt(nodes, 500, 0, 0)?.id).toBe('a');
  });
});
