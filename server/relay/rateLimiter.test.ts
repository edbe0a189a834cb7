import { expect, it } from 'vitest';
import { TokenBucket } from './rateLimiter';

it('allows a burst, refuses past it, and refills at the rate', () => {
  let now = 0;
  const bucket = new TokenBucket(10, 5, () => now);
  for (let i = 0; i < 5; i++) expect(bucket.take()).toBe(true);
  expect(bucket.take()).toBe(false);
  now += 200; // 2 tokens
  expect(bucket.take()).toBe(true);
  expect(bucket.take()).toBe(true);
  expect(bucket.take()).toBe(false);
  now += 10_000;
  expect(bucket.take(5)).toBe(true);
  expect(bucket.take()).toBe(false);
});
