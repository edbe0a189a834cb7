import { describe, expect, it } from 'vitest';
import { formatTraceparent, isSpanId, isTraceId, mintEventId, mintSpanId, mintTraceId, parseTraceparent } from './ids';

describe('trace ids', () => {
  it('mints valid W3C ids', () => {
    for (let i = 0; i < 50; i++) {
      expect(isTraceId(mintTraceId())).toBe(true);
      expect(isSpanId(mintSpanId())).toBe(true);
    }
  });
  it('[G3] ids minted across many refills of the random pool are all well-formed and distinct, their random parts evenly spread', () => {
    // 6 random bytes per event id, 4 KiB per refill: 30,000 ids cross ~44 refills.
    const ids = Array.from({ length: 30_000 }, () => mintEventId());
    expect(ids.every((id) => /^[0-9a-f]{24}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const traces = Array.from({ length: 3000 }, () => mintTraceId());
    expect(new Set(traces).size).toBe(traces.length);
    // Every hex digit appears in the random parts at about its share (1/16 of 360,000 digits).
    const counts = new Map<string, number>();
    for (const id of ids) for (const c of id.slice(12)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(16);
    for (const n of counts.values()) expect(Math.abs(n - 22_500)).toBeLessThan(1_500);
  });
  it('rejects all-zero and malformed ids', () => {
    expect(isTraceId('0'.repeat(32))).toBe(false);
    expect(isTraceId('A'.repeat(32))).toBe(false);
    expect(isSpanId('abc')).toBe(false);
  });
  it('round-trips a traceparent and ignores malformed ones', () => {
    const t = mintTraceId();
    const s = mintSpanId();
    expect(parseTraceparent(formatTraceparent(t, s))).toEqual({ traceId: t, spanId: s, sampled: true });
    expect(parseTraceparent('00-xyz')).toBeUndefined();
    expect(parseTraceparent(`ff-${t}-${s}-01`)).toBeUndefined();
    expect(parseTraceparent(`00-${'0'.repeat(32)}-${s}-01`)).toBeUndefined();
    expect(parseTraceparent(undefined)).toBeUndefined();
  });
});
