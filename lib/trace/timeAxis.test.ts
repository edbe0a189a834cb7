import { describe, expect, it } from 'vitest';
import { formatDuration, niceStep, timeTicks } from './timeAxis';

describe('time axis', () => {
  it('[V10] picks 1/2/5 steps and labels ticks in ms, s and minutes', () => {
    expect(niceStep(1000, 5)).toBe(200);
    expect(niceStep(730, 6)).toBe(200);
    expect(niceStep(12, 6)).toBe(2);
    expect(timeTicks(1000, 5).map((t) => t.label)).toEqual(['0 ms', '200 ms', '400 ms', '600 ms', '800 ms', '1 s']);
    expect(timeTicks(0.5, 5).length).toBeGreaterThan(1);
    expect(formatDuration(1500)).toBe('1.5 s');
    expect(formatDuration(61_000)).toBe('1m 1s');
    expect(formatDuration(3.25)).toBe('3.3 ms');
  });
});
