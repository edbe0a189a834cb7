import { describe, expect, it } from 'vitest';
import { checkSeries, formatRate } from './checkSeries';

describe('checkSeries', () => {
  it('[C6] buckets verdicts by time, ignoring checks outside the window', () => {
    const now = 100_000;
    const s = checkSeries(
      [
        { ts: 99_999, verdict: 'pass' },
        { ts: 95_000, verdict: 'fail' },
        { ts: 70_001, verdict: 'pass' },
        { ts: 1, verdict: 'fail' },
        { ts: 100_001, verdict: 'pass' },
      ],
      now,
      3,
      10_000,
    );
    expect(s).toEqual([
      { start: 70_000, pass: 1, fail: 0 },
      { start: 80_000, pass: 0, fail: 0 },
      { start: 90_000, pass: 1, fail: 1 },
    ]);
    expect(formatRate(null)).toBe('—');
    expect(formatRate(0.956)).toBe('96%');
  });
});
