import { describe, expect, it } from 'vitest';
import { frameToEvent } from './frameEvents';

const TRACE = '1'.repeat(32);
const SPAN = '2'.repeat(16);
const calls = new Map([['corr-1', { traceId: TRACE, spanId: SPAN }]]);
const lookup = (id: string) => calls.get(id);

describe('frameToEvent', () => {
  it('resolves a token that names only a correlation id into the call’s trace and span', () => {
    const e = frameToEvent({ type: 'token', correlation_id: 'corr-1', text: 'hel', index: 0 }, 'worker-1', 5, lookup);
    expect(e).toMatchObject({ kind: 'token', trace_id: TRACE, span_id: SPAN, agent: 'worker-1', ts: 5, data: { text: 'hel', index: 0, correlation_id: 'corr-1' } });
    expect(e.id).toMatch(/^[0-9a-f]{24}$/);
  });
  it('keeps explicit ids and trace over the correlation', () => {
    const other = 'f'.repeat(32);
    const e = frameToEvent({ type: 'token', id: 'my-id', trace_id: other, correlation_id: 'corr-1', text: 'x' }, 'w', 1, lookup);
    expect(e).toMatchObject({ id: 'my-id', trace_id: other, span_id: SPAN });
  });
  it('refuses an unknown correlation id without a trace', () => {
    expect(() => frameToEvent({ type: 'token', correlation_id: 'nope', text: 'x' }, 'w', 1, lookup)).toThrow(expect.objectContaining({ code: 'unknown_correlation' }));
  });
  it('stores a token with no trace at all as agent-only text', () => {
    expect(frameToEvent({ type: 'token', text: 'x' }, 'w', 1, lookup)).toMatchObject({ trace_id: null, span_id: null });
  });
  it('parents a span started inside a call under the call span', () => {
    const e = frameToEvent({ type: 'span.start', correlation_id: 'corr-1', span_id: '3'.repeat(16), name: 'chat' }, 'w', 1, lookup);
    expect(e).toMatchObject({ kind: 'span.start', trace_id: TRACE, parent_span_id: SPAN, data: { name: 'chat' } });
  });
  it('requires a trace for spans', () => {
    expect(() => frameToEvent({ type: 'span.start', span_id: '3'.repeat(16), name: 'chat' }, 'w', 1, lookup)).toThrow(expect.objectContaining({ code: 'invalid_message' }));
    expect(() => frameToEvent({ type: 'span.end', span_id: '3'.repeat(16), status: 'ok' }, 'w', 1, lookup)).toThrow(expect.objectContaining({ code: 'invalid_message' }));
  });
});
