import { describe, expect, it } from 'vitest';
import { MsHistogramRecorder } from './msHistogram';

describe('MsHistogramRecorder', () => {
  it('[V1] counts each value in the first bucket whose bound it does not exceed, the rest past the last', () => {
    const h = new MsHistogramRecorder([5, 10, 25]);
    for (const v of [0, 5, 5.1, 10, 24, 26, 1000, -3]) h.observe(v);
    expect(h.counts).toEqual([3, 2, 1, 2]); // ≤5: 0, 5, -3 (as 0) · ≤10: 5.1, 10 · ≤25: 24 · over: 26, 1000
    expect(h.count).toBe(8);
    expect(h.sum).toBeCloseTo(0 + 5 + 5.1 + 10 + 24 + 26 + 1000 + 0);
  });
});
