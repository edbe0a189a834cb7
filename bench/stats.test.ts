import { expect, it } from 'vitest';
import { median, percentile, sustainedRate } from './stats';

it('computes nearest-rank percentiles and medians', () => {
  expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
  expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
  expect(median([])).toBeNaN();
});

it('takes the slope of the middle of a run, ignoring ramp-up and drain', () => {
  const samples: [number, number][] = [[0, 0], [1000, 10], [2000, 1010], [3000, 2010], [4000, 3010], [5000, 4010], [6000, 4015], [7000, 4015], [8000, 4015], [9000, 4015]];
  expect(sustainedRate(samples.slice(0, 6))).toBeCloseTo(1000, 0);
});
