import { expect, it } from 'vitest';
import { bucketsBetween, histogramBuckets, ingestOrder, median, pairedRatio, percentile } from './stats';

it('computes nearest-rank percentiles and medians', () => {
  expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
  expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
  expect(median([])).toBeNaN();
});

it('reads what a cumulative histogram recorded between two scrapes: count, the percentile\'s bucket, values over a bound', () => {
  const before = [[0.01, 10], [0.1, 12], [1, 12], [Infinity, 12]] as const;
  const after = [[0.01, 108], [0.1, 110], [1, 111], [Infinity, 112]] as const;
  // 100 new values: 98 ≤ 10 ms, none in (10, 100] ms, 1 in (0.1, 1] s, 1 past 1 s.
  expect(bucketsBetween(before, after, 50, 0.1)).toEqual({ count: 100, percentileBound: 0.01, over: 2 });
  expect(bucketsBetween(before, after, 99, 0.1).percentileBound).toBe(1);
  expect(bucketsBetween(before, after, 100, 0.1).percentileBound).toBe(Infinity);
  expect(bucketsBetween(after, after, 99, 0.1)).toEqual({ count: 0, percentileBound: NaN, over: 0 });
});

it('reads one histogram family\'s cumulative buckets out of a /metrics text, and no other family\'s', () => {
  const text = ['# TYPE a_seconds histogram', 'a_seconds_bucket{le="0.005"} 3', 'a_seconds_bucket{le="0.1"} 7', 'a_seconds_bucket{le="+Inf"} 9', 'a_seconds_sum 0.4', 'ab_seconds_bucket{le="0.005"} 1', 'a_seconds_count 9'].join('\n');
  expect(histogramBuckets(text, 'a_seconds')).toEqual([[0.005, 3], [0.1, 7], [Infinity, 9]]);
  expect(histogramBuckets(text, 'missing_seconds')).toEqual([]);
});

it('[issue 18] pairedRatio: the median of per-repeat ratios, not the ratio of medians', () => {
  // The host slowed in repeat 0: both runs of it are low, and their ratio is still 0.9.
  expect(pairedRatio([45, 90, 95], [50, 100, 100])).toBeCloseTo(0.9, 10);
  // Ratios 0.9, 0.9, 1.1 → 0.9, where the ratio of the medians (90 ÷ 90) would read 1.
  expect(pairedRatio([45, 90, 99], [50, 100, 90])).toBeCloseTo(0.9, 10);
  expect(pairedRatio([1, 2], [2, 4, 8])).toBeCloseTo(0.5, 10); // only paired repeats count
  expect(pairedRatio([], [])).toBeNaN();
});

it('[issue 18] ingestOrder: even repeats run in the listed order, odd ones reversed, and every pair stays side by side', () => {
  const modes = ['ceiling', 'single', 'single_acked', 'batched', 'batched_acked'];
  expect(ingestOrder(modes, 0)).toEqual(modes);
  expect(ingestOrder(modes, 1)).toEqual(['batched_acked', 'batched', 'single_acked', 'single', 'ceiling']);
  expect(ingestOrder(modes, 2)).toEqual(modes);
  expect(modes).toEqual(['ceiling', 'single', 'single_acked', 'batched', 'batched_acked']); // not reversed in place
  // Over two repeats each side of a pair runs first once.
  const firstOf = (a: string, b: string, r: number) => { const o = ingestOrder(modes, r); return o.indexOf(a) < o.indexOf(b) ? a : b; };
  expect([firstOf('single', 'single_acked', 0), firstOf('single', 'single_acked', 1)]).toEqual(['single', 'single_acked']);
  expect([firstOf('ceiling', 'single', 0), firstOf('ceiling', 'single', 1)]).toEqual(['ceiling', 'single']);
});
