import { describe, expect, it } from 'vitest';
import { formatTraceparent, isSpanId, isTraceId, mintSpanId, mintTraceId, parseTraceparent } from './ids';

describe('trace ids', () => {
  it('mints valid W3C ids', () => {
    for (let i = 0; i < 50; i++) {
      expect(isTraceId(mintTraceId())).toBe(true);
      expect(isSpanId(mintSpanId())).toBe(true);
    }
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
