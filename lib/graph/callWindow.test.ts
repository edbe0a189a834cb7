import { describe, expect, it } from 'vitest';
import type { EventKind, XrayEvent } from '../protocol/events';
import { eventFactory } from '../testing/events';
import { summarizeCalls } from './callWindow';

const events = eventFactory({ trace_id: 'a'.repeat(32) });
const ev = (kind: EventKind, agent: string, peer: string, span: string, ts: number, data: object): XrayEvent => events.make(kind, { agent, peer, span_id: span, ts, data }) as XrayEvent;
const call = (from: string, to: string, span: string, method: string, ts: number, ok: boolean, ms = 10) => [
  ev('call.request', from, to, span, ts - ms, { correlation_id: span, method, payload: '', timeout_ms: 1000, via: 'ws' }),
  ok ? ev('call.response', to, from, span, ts, { correlation_id: span, payload: '', duration_ms: ms }) : ev('call.error', to, from, span, ts, { correlation_id: span, code: 'worker_error', message: 'x', duration_ms: ms }),
];

describe('summarizeCalls', () => {
  const events = [
    ...call('orch', 'w1', 's1', 'process', 1000, true, 10),
    ...call('orch', 'w1', 's2', 'process', 2000, false, 30),
    ...call('orch', 'w1', 's3', 'health', 3000, true, 20),
    ...call('orch', 'w2', 's4', 'process', 9000, true),
    ...call('w1', 'w2', 's5', 'lookup', 2500, true),
  ];

  it('[V13] counts calls, failures, methods and the median latency per caller→callee edge in the window', () => {
    const out = summarizeCalls(events, { since: 0, until: 5000 });
    expect(out).toEqual([
      { from: 'orch', to: 'w1', calls: 3, errors: 1, p50_ms: 20, methods: [ { method: 'process', calls: 2, errors: 1 }, { method: 'health', calls: 1, errors: 0 } ] },
      { from: 'w1', to: 'w2', calls: 1, errors: 0, p50_ms: 10, methods: [{ method: 'lookup', calls: 1, errors: 0 }] },
    ]);
  });

  it('[V13] filters by edge and by time (a call counts when it finished inside the window)', () => {
    expect(summarizeCalls(events, { since: 0, until: 10_000, from: 'orch', to: 'w2' }).map((e) => e.calls)).toEqual([1]);
    expect(summarizeCalls(events, { since: 2900, until: 3100 })).toHaveLength(1);
    expect(summarizeCalls(events, { since: 20_000, until: 30_000 })).toEqual([]);
  });
});
