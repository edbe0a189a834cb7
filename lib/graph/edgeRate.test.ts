import { describe, expect, it } from 'vitest';
import { EdgeRates } from './edgeRate';

describe('EdgeRates', () => {
  it('[V13] derives calls per minute and the error share over the window from cumulative counters', () => {
    const r = new EdgeRates(60_000);
    r.record('a->b', 0, 100, 10);
    r.record('a->b', 30_000, 130, 10);
    r.record('a->b', 60_000, 160, 16);
    const s = r.stats('a->b', 60_000);
    expect(s.perMinute).toBeCloseTo(60);
    expect(s.errorShare).toBeCloseTo(0.1);
    expect(s.calls).toBe(160);
  });

  it('[V13] keeps a bounded number of samples and forgets edges that left the graph', () => {
    const r = new EdgeRates(60_000, 8);
    for (let i = 0; i < 1000; i++) r.record('x', i * 10, i, 0);
    expect(r.stats('x', 10_000).perMinute).toBeGreaterThan(0);
    expect((r as unknown as { samples: Map<string, unknown[]> }).samples.get('x')!.length).toBeLessThanOrEqual(8);
    r.forget(new Set());
    expect(r.stats('x', 10_000)).toEqual({ perMinute: 0, errorShare: 0, calls: 0, errors: 0 });
  });
});
