import { describe, expect, it } from 'vitest';
import { distanceToSegment, fitView, toScreen, zoomAt } from './viewport';

describe('viewport', () => {
  it('[V13] fit puts every node inside the canvas with the margin, whatever the spread', () => {
    for (const spread of [10, 300, 5000]) {
      const nodes = [
        { x: -spread, y: 20, radius: 8 },
        { x: spread * 0.7, y: -spread * 1.3, radius: 20 },
        { x: 5, y: spread, radius: 5 },
      ];
      const v = fitView(nodes, 800, 500, 40, 16);
      for (const n of nodes) {
        const [sx, sy] = toScreen(v, 800, 500, n.x, n.y);
        const r = n.radius * v.k;
        expect(sx - r).toBeGreaterThanOrEqual(40 - 1e-6);
        expect(sx + r).toBeLessThanOrEqual(760 + 1e-6);
        expect(sy - r).toBeGreaterThanOrEqual(40 - 1e-6);
        expect(sy + r + 16).toBeLessThanOrEqual(460 + 1e-6);
      }
    }
  });

  it('[V13] fit never zooms a lone node past the cap, and an empty graph gets the identity view', () => {
    expect(fitView([{ x: 100, y: 100, radius: 6 }], 800, 600).k).toBe(2);
    expect(fitView([], 800, 600)).toEqual({ k: 1, x: 0, y: 0 });
  });

  it('[V13] zooming about a point keeps the world point under it', () => {
    const v = { k: 1.3, x: 40, y: -20 };
    const z = zoomAt(v, 2, 300, 200, 800, 600);
    const before = [(300 - 400 - v.x) / v.k, (200 - 300 - v.y) / v.k];
    const [sx, sy] = toScreen(z, 800, 600, before[0], before[1]);
    expect(sx).toBeCloseTo(300);
    expect(sy).toBeCloseTo(200);
  });

  it('[V13] distance to a segment clamps to its ends', () => {
    expect(distanceToSegment(5, 3, 0, 0, 10, 0)).toBe(3);
    expect(distanceToSegment(-4, 3, 0, 0, 10, 0)).toBe(5);
  });
});
