import { describe, expect, it } from 'vitest';
import { AttemptLimiter } from './attemptLimiter';

const policy = { freeFailures: 3, baseDelayMs: 1000, maxDelayMs: 8000, forgetAfterMs: 60_000, maxKeys: 100 };
function limiter(p = policy) {
  let t = 1_000_000;
  const l = new AttemptLimiter(p, () => t);
  return { l, advance: (ms: number) => (t += ms) };
}

describe('AttemptLimiter', () => {
  it('[G7] lets the free failures through, then locks with a doubling delay up to the cap', () => {
    const { l, advance } = limiter();
    for (let i = 0; i < 3; i++) {
      expect(l.retryAfterMs('1.2.3.4')).toBe(0);
      expect(l.failed('1.2.3.4')).toBe(0);
    }
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const d = l.failed('1.2.3.4');
      delays.push(d);
      expect(l.retryAfterMs('1.2.3.4')).toBe(d);
      advance(d);
      expect(l.retryAfterMs('1.2.3.4')).toBe(0);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('[G7] keys addresses separately, and a success or a quiet period forgets the failures', () => {
    const { l, advance } = limiter();
    for (let i = 0; i < 4; i++) l.failed('a');
    expect(l.retryAfterMs('a')).toBe(1000);
    expect(l.retryAfterMs('b')).toBe(0);
    l.succeeded('a');
    expect(l.retryAfterMs('a')).toBe(0);
    for (let i = 0; i < 4; i++) l.failed('a');
    advance(60_001);
    expect(l.retryAfterMs('a')).toBe(0);
    expect(l.failed('a')).toBe(0); // starts over
  });

  it('[G6] hostile keys are plain Map keys', () => {
    const { l } = limiter();
    for (const k of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) for (let i = 0; i < 4; i++) l.failed(k);
    expect(l.retryAfterMs('__proto__')).toBe(1000);
    expect(l.retryAfterMs('valueOf')).toBe(0);
    expect(({} as Record<string, unknown>).failures).toBeUndefined();
  });

  it('[G6] stays bounded, forgetting the least recently failing address first', () => {
    const { l } = limiter({ ...policy, maxKeys: 5 });
    for (let i = 0; i < 4; i++) l.failed('oldest');
    for (let i = 0; i < 4; i++) l.failed('kept');
    for (let i = 0; i < 1000; i++) l.failed(`addr-${i}`);
    expect(l.size).toBe(5);
    expect(l.retryAfterMs('oldest')).toBe(0);
  });
});
