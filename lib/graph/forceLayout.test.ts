import { describe, expect, it } from 'vitest';
import { ForceLayout, WARMUP_THRESHOLD, WARMUP_TICKS } from './forceLayout';
import { packGraph } from './layoutMessages';

const nodes = (n: number, prefix = 'a') => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, radius: 6 }));
const xyOf = (layout: ForceLayout) => [...layout.positions()];

describe('ForceLayout (the worker side of the graph)', () => {
  it('places new nodes and spreads them out as it ticks', () => {
    const layout = new ForceLayout();
    layout.setGraph(packGraph(1, nodes(20), [], true));
    expect(layout.positions()).toHaveLength(40);
    expect(layout.active()).toBe(true);
    const spread = () => {
      const xy = xyOf(layout);
      let max = 0;
      for (let i = 0; i < xy.length; i += 2) max = Math.max(max, Math.hypot(xy[i], xy[i + 1]));
      return max;
    };
    for (let i = 0; i < 50; i++) layout.tick();
    expect(spread()).toBeGreaterThan(0);
    expect(xyOf(layout).every(Number.isFinite)).toBe(true);
  });

  it('a node that stays keeps its position when the graph changes around it', () => {
    const layout = new ForceLayout();
    layout.setGraph(packGraph(1, nodes(3), [], true));
    for (let i = 0; i < 30; i++) layout.tick();
    const before = xyOf(layout).slice(2, 4); // a1
    layout.setGraph(packGraph(2, [{ id: 'new', radius: 6 }, ...nodes(3)], [], true));
    expect(layout.version).toBe(2);
    expect(xyOf(layout).slice(4, 6)).toEqual(before); // a1 is now third
  });

  it('links pull their ends together', () => {
    const free = new ForceLayout(() => 0.25);
    const linked = new ForceLayout(() => 0.25);
    free.setGraph(packGraph(1, nodes(10), [], true));
    linked.setGraph(packGraph(1, nodes(10), [{ source: 'a0', target: 'a5', kind: 'call' }], true));
    for (let i = 0; i < 200; i++) {
      free.tick();
      linked.tick();
    }
    const d = (xy: number[]) => Math.hypot(xy[0] - xy[10], xy[1] - xy[11]);
    expect(d(xyOf(linked))).toBeLessThan(d(xyOf(free)));
  });

  it('a pinned node stays where it is dragged until released', () => {
    const layout = new ForceLayout();
    layout.setGraph(packGraph(1, nodes(5), [], true));
    layout.pin('a2', 123, -45);
    for (let i = 0; i < 10; i++) layout.tick();
    expect(xyOf(layout).slice(4, 6)).toEqual([123, -45]);
    layout.unpin('a2');
    for (let i = 0; i < 10; i++) layout.tick();
    expect(xyOf(layout).slice(4, 6)).not.toEqual([123, -45]);
  });

  it('a large structural change starts a warm-up; a non-structural update does not', () => {
    const layout = new ForceLayout();
    layout.setGraph(packGraph(1, nodes(WARMUP_THRESHOLD + 1), [], false));
    expect(layout.warmupLeft).toBe(0);
    layout.setGraph(packGraph(2, nodes(WARMUP_THRESHOLD + 1), [], true));
    expect(layout.warmupLeft).toBe(WARMUP_TICKS);
    layout.tick();
    expect(layout.warmupLeft).toBe(WARMUP_TICKS - 1);
  });

  it('settles: the simulation stops being active', () => {
    const layout = new ForceLayout();
    layout.setGraph(packGraph(1, nodes(5), [], true));
    for (let i = 0; i < 400 && layout.active(); i++) layout.tick();
    expect(layout.active()).toBe(false);
  });
});
