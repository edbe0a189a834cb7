import { describe, expect, it } from 'vitest';
import { eventFactory } from '../../lib/testing/events';
import { coalesce, scopeSees } from './scopeStream';

const T = 'a'.repeat(32);
const S1 = '1'.repeat(16);
const S2 = '2'.repeat(16);
const e = eventFactory({ lamport: 0 }).event;

describe('scoped streams', () => {
  const events = [
    e({ kind: 'call.request', agent: 'orch', peer: 'w1', trace_id: T, span_id: S1, data: { correlation_id: 'c', method: 'm', payload: 'p', timeout_ms: 1, via: 'ws' } }),
    e({ kind: 'token', agent: 'w1', trace_id: T, span_id: S1, data: { text: 'Hel' } }),
    e({ kind: 'token', agent: 'w2', trace_id: T, span_id: S2, data: { text: 'Other' } }),
    e({ kind: 'token', agent: 'w1', trace_id: T, span_id: S1, data: { text: 'lo' } }),
    e({ kind: 'broadcast', agent: 'w1', topic: 'swarm.health', data: { payload: '{}' } }),
  ];

  it('concatenates tokens per span and keeps other events whole, for the scope only', () => {
    const agent = coalesce(events, { kind: 'agent', name: 'w1' });
    expect(agent.text).toEqual([[T, S1, 'w1', 'Hello', 2]]);
    expect(agent.events.map((x) => x.kind)).toEqual(['call.request', 'broadcast']);
    const trace = coalesce(events, { kind: 'trace', traceId: T });
    expect(trace.text).toEqual([
      [T, S1, 'w1', 'Hello', 2],
      [T, S2, 'w2', 'Other', 1],
    ]);
    expect(trace.events).toHaveLength(1);
    const topic = coalesce(events, { kind: 'topic', topic: 'swarm.health' });
    expect(topic).toMatchObject({ text: [], events: [{ kind: 'broadcast', data: { payload: '{}' } }] });
  });

  it('does not show a peer’s tokens in an agent scope', () => {
    expect(scopeSees({ kind: 'agent', name: 'orch' }, events[1])).toBe(false);
    expect(scopeSees({ kind: 'agent', name: 'orch' }, events[0])).toBe(true);
  });
});

describe('coalesceInto', () => {
  it('folding pages one after another equals coalescing them at once', async () => {
    const { coalesceInto, emptyAccumulator } = await import('./scopeStream');
    const all = Array.from({ length: 50 }, (_, i) =>
      i % 7 === 0
        ? e({ kind: 'broadcast', agent: 'a', topic: 't', trace_id: T, data: { payload: `${i}` } })
        : e({ kind: 'token', agent: i % 2 ? 'a' : 'b', trace_id: T, span_id: i % 3 ? S1 : S2, data: { text: `t${i} ` } }),
    );
    const scope = { kind: 'trace', traceId: T } as const;
    const acc = emptyAccumulator();
    for (let i = 0; i < all.length; i += 8) coalesceInto(acc, all.slice(i, i + 8), scope);
    const whole = coalesce(all, scope);
    expect({ text: [...acc.runs.values()], events: acc.events }).toEqual(whole);
    expect(acc.textChars).toBe(whole.text.reduce((n, r) => n + r[3].length, 0));
  });
});
