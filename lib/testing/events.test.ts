import { describe, expect, it } from 'vitest';
import { eventFactory } from './events';

describe('test event factory', () => {
  it('numbers events from 1 with per-factory defaults, and a given seq does not move the counter', () => {
    const f = eventFactory({ trace_id: 't'.repeat(32), ts: (seq) => 1000 + seq, lamport: 0 });
    const a = f.token('hi', { agent: 'w' });
    const b = f.make('call.request', { seq: 50, agent: 'o', peer: 'w', data: { method: 'plan' } });
    const c = f.spanStart('chat', { span_id: '1'.repeat(16) }, { 'gen_ai.request.model': 'm' });
    expect(a).toEqual({ seq: 1, id: 'e1', ts: 1001, t: null, kind: 'token', trace_id: 't'.repeat(32), span_id: null, parent_span_id: null, agent: 'w', peer: null, topic: null, lamport: 0, data: { text: 'hi' } });
    expect([b.seq, b.ts, b.data]).toEqual([50, 1050, { correlation_id: 'c1', method: 'plan', payload: '{}', timeout_ms: 30_000, via: 'ws' }]);
    expect([c.seq, c.data]).toEqual([2, { name: 'chat', attributes: { 'gen_ai.request.model': 'm' } }]);
    expect(f.lastSeq).toBe(2);
    f.reset();
    expect(f.spanEnd('error').seq).toBe(1);
  });

  it('builds the object form older tests use, with the data as given', () => {
    const f = eventFactory();
    expect(f.event({ kind: 'span.end', agent: 'a', span_id: 's', data: { status: 'error', error: 'boom' } })).toMatchObject({ seq: 1, kind: 'span.end', agent: 'a', span_id: 's', data: { status: 'error', error: 'boom' } });
  });
});
