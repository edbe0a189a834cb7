import { describe, expect, it } from 'vitest';
import { placeLabels } from './placeLabels';

describe('placeLabels', () => {
  it('[V13] keeps the higher-priority label of two that overlap, and every label that overlaps none', () => {
    const placed = placeLabels([
      { id: 'busy', x: 0, y: 0, w: 60, h: 12, priority: 5 },
      { id: 'quiet', x: 30, y: 6, w: 60, h: 12, priority: 1 },
      { id: 'far', x: 300, y: 300, w: 60, h: 12, priority: 0 },
      { id: 'touching', x: 60, y: 0, w: 20, h: 12, priority: 0 },
    ]);
    expect([...placed].sort()).toEqual(['busy', 'far', 'touching']);
  });

  it('[V13] no two placed labels overlap among 2,000 random candidates', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const boxes = Array.from({ length: 2000 }, (_, i) => ({ id: String(i), x: rnd() * 1200, y: rnd() * 800, w: 30 + rnd() * 60, h: 12, priority: rnd() }));
    const placed = boxes.filter((b) => placeLabels(boxes).has(b.id));
    expect(placed.length).toBeGreaterThan(50);
    for (let i = 0; i < placed.length; i++)
      for (let j = i + 1; j < placed.length; j++) {
        const a = placed[i];
        const b = placed[j];
        expect(a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h).toBe(false);
      }
  });
});
