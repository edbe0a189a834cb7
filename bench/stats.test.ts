import { expect, it } from 'vitest';
import { median, percentile } from './stats';

it('computes nearest-rank percentiles and medians', () => {
  expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
  expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
  expect(median([])).toBeNaN();
});
