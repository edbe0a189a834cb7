import { describe, expect, it } from 'vitest';
import type { NewEvent, XrayEvent } from '../protocol/events';
import { buildTrace } from './buildTrace';

const TRACE = 'abcdef0123456789abcdef0123456789';
let seq = 0;
function e(p: Partial<NewEvent> & Pick<NewEvent, 'kind' | 'agent' | 'data'>, lamport?: number): XrayEvent {
  seq++;
  return { seq, id: `e${seq}`, ts: 1000 + seq, t: null, trace_id: TRACE, span_id: null, parent_span_id: null, peer: null, topic: null, lamport: lamport ?? seq, ...p } as XrayEvent;
}
const S = (n: number) => n.toString(16).padStart(16, '0');

/** orchestrator → worker-1 (call S1) → chat span S2 → lookup call S3 to librarian (fails). */
function syntheticFailingTrace(): XrayEvent[] {
  seq = 0;
  return [
    e({ kind: 'call.request', agent: 'orch', peer: 'worker-1', span_id: S(1), data: { correlation_id: 'c1', method: 'process', payload: 'task', timeout_ms: 1000, via: 'ws' } }),
    e({ kind: 'span.start', agent: 'worker-1', span_id: S(2), parent_span_id: S(1), data: { name: 'llm.chat', attributes: { 'gen_ai.request.model': 'gpt-x', 'gen_ai.operation.name': 'chat' } } }),
    e({ kind: 'token', agent: 'worker-1', span_id: S(2), data: { text: 'Let me ', index: 0 } }),
    e({ kind: 'token', agent: 'worker-1', span_id: S(2), data: { text: 'check.', index: 1 } }),
    e({ kind: 'call.request', agent: 'worker-1', peer: 'librarian', span_id: S(3), parent_span_id: S(2), data: { correlation_id: 'c3', method: 'lookup', payload: 'q', timeout_ms: 1000, via: 'ws' } }),
    e({ kind: 'call.error', agent: 'librarian', peer: 'worker-1', span_id: S(3), parent_span_id: S(2), data: { correlation_id: 'c3', code: 'worker_error', message: 'index offline', duration_ms: 3 } }),
    e({ kind: 'span.end', agent: 'worker-1', span_id: S(2), data: { status: 'error', error: 'lookup failed', attributes: { 'gen_ai.usage.input_tokens': 120, 'gen_ai.usage.output_tokens': 2 } } }),
    e({ kind: 'call.error', agent: 'worker-1', peer: 'orch', span_id: S(1), data: { correlation_id: 'c1', code: 'worker_error', message: 'lookup failed', duration_ms: 9 } }),
    // A sibling that succeeded, to make sure it is not on the failure path.
    e({ kind: 'call.request', agent: 'orch', peer: 'worker-2', span_id: S(4), data: { correlation_id: 'c4', method: 'process', payload: 't2', timeout_ms: 1000, via: 'ws' } }),
    e({ kind: 'call.response', agent: 'worker-2', peer: 'orch', span_id: S(4), data: { correlation_id: 'c4', payload: 'fine', duration_ms: 2 } }),
  ];
}

describe('buildTrace', () => {
  it('builds the causal tree of calls and spans with text, usage and timing', () => {
    const t = buildTrace(TRACE, syntheticFailingTrace());
    expect(t.roots).toEqual([S(1), S(4)]);
    expect(t.order).toEqual([S(1), S(2), S(3), S(4)]);
    expect(t.nodes[S(1)]).toMatchObject({ kind: 'call', name: 'process', agent: 'worker-1', caller: 'orch', status: 'error', depth: 0, request: 'task' });
    expect(t.nodes[S(2)]).toMatchObject({ kind: 'span', name: 'llm.chat', agent: 'worker-1', text: 'Let me check.', tokens: 2, model: 'gpt-x', operation: 'chat', usage: { input: 120, output: 2 }, depth: 1 });
    expect(t.nodes[S(3)]).toMatchObject({ kind: 'call', name: 'lookup', agent: 'librarian', caller: 'worker-1', status: 'error', error: 'worker_error: index offline', depth: 2 });
    expect(t.nodes[S(4)]).toMatchObject({ status: 'ok', response: 'fine', end: 1010, start: 1009 });
    expect(t.agents).toEqual(['librarian', 'orch', 'worker-1', 'worker-2']);
    expect(t.status).toBe('error');
    expect(t.tokens).toBe(2);
  });

  it('marks the path from the root to the failure two levels deep, and names the root cause', () => {
    const t = buildTrace(TRACE, syntheticFailingTrace());
    const deepest = t.failures.find((f) => f.rootCause)!;
    expect(deepest.nodeId).toBe(S(3));
    expect(deepest.path).toEqual([S(1), S(2), S(3)]);
    expect(t.failures.filter((f) => f.rootCause)).toHaveLength(1);
    expect(t.failures.map((f) => f.nodeId).sort()).toEqual([S(1), S(2), S(3)].sort());
    expect([S(1), S(2), S(3)].every((id) => t.nodes[id].onFailurePath)).toBe(true);
    expect(t.nodes[S(4)].onFailurePath).toBe(false);
  });

  it('orders siblings causally by lamport even when agent clocks disagree', () => {
    seq = 0;
    const events = [
      e({ kind: 'span.start', agent: 'a', span_id: S(10), t: 5000, data: { name: 'later-by-clock-but-first' } }, 1),
      e({ kind: 'span.start', agent: 'b', span_id: S(11), t: 10, data: { name: 'second' } }, 2),
    ];
    expect(buildTrace(TRACE, events).order).toEqual([S(10), S(11)]);
  });

  it('reassembles tokens by index when they arrived out of order, and keeps orphan tokens per agent', () => {
    seq = 0;
    const events = [
      e({ kind: 'token', agent: 'w', span_id: S(5), data: { text: 'world', index: 1 } }),
      e({ kind: 'token', agent: 'w', span_id: S(5), data: { text: 'hello ', index: 0 } }),
      e({ kind: 'token', agent: 'x', data: { text: 'loose' } }),
    ];
    const t = buildTrace(TRACE, events);
    expect(t.nodes[S(5)].text).toBe('hello world');
    expect(t.nodes['stream:x']).toMatchObject({ kind: 'stream', text: 'loose', agent: 'x' });
  });

  it('marks a timeout and a trace still running', () => {
    seq = 0;
    const t = buildTrace(TRACE, [
      e({ kind: 'call.request', agent: 'o', peer: 'w', span_id: S(1), data: { correlation_id: 'c', method: 'm', payload: '', timeout_ms: 50, via: 'rest' } }),
      e({ kind: 'call.timeout', agent: 'w', peer: 'o', span_id: S(1), data: { correlation_id: 'c', timeout_ms: 50, duration_ms: 50 } }),
    ]);
    expect(t.nodes[S(1)]).toMatchObject({ status: 'timeout', onFailurePath: true });
    expect(t.status).toBe('timeout');
    seq = 0;
    const running = buildTrace(TRACE, [e({ kind: 'span.start', agent: 'a', span_id: S(1), data: { name: 'x' } })]);
    expect(running.status).toBe('running');
  });

  it('[C4] shows gate checks as nodes: a refused claim on the failure path with its reason, a pass with its evidence', () => {
    seq = 0;
    const tree = buildTrace(TRACE, [
      e({ kind: 'span.start', agent: 'orch', span_id: S(1), data: { name: 'merge' } }),
      e({ kind: 'gate.check', agent: 'orch', span_id: S(2), parent_span_id: S(1), data: { gate: 'security_scan', verdict: 'fail', attempt: 1, evidence: [], requirements: [{ requirement: 'scan', ok: false, reason: 'no evidence cited' }] } }),
      e({ kind: 'gate.check', agent: 'orch', span_id: S(3), parent_span_id: S(1), data: { gate: 'security_scan', verdict: 'pass', attempt: 2, evidence: [{ span_id: S(9) }], requirements: [{ requirement: 'scan', ok: true, span_id: S(9), reason: 'met' }] } }),
      e({ kind: 'span.end', agent: 'orch', span_id: S(1), data: { status: 'ok' } }),
    ]);
    const [refused, passed] = tree.nodes[S(1)].children.map((id) => tree.nodes[id]);
    expect(refused).toMatchObject({ kind: 'gate', name: 'gate security_scan: fail', status: 'error', error: 'no evidence cited', onFailurePath: true, evidence: [] });
    expect(passed).toMatchObject({ kind: 'gate', name: 'gate security_scan: pass', status: 'ok', evidence: [S(9)], attributes: { 'gate.attempt': 2 } });
  });

  it('survives a parent cycle in bad input without looping', () => {
    seq = 0;
    const t = buildTrace(TRACE, [
      e({ kind: 'span.start', agent: 'a', span_id: S(1), parent_span_id: S(2), data: { name: 'a' } }),
      e({ kind: 'span.start', agent: 'a', span_id: S(2), parent_span_id: S(1), data: { name: 'b' } }),
    ]);
    expect(t.order.length).toBeLessThanOrEqual(2);
  });

  it('rebuilds a trace of 1,000 spans and 100,000 tokens completely', () => {
    seq = 0;
    const events: XrayEvent[] = [];
    for (let s = 1; s <= 1000; s++) {
      events.push(e({ kind: 'span.start', agent: `a${s % 50}`, span_id: S(s), parent_span_id: s > 1 ? S(Math.floor(s / 2)) : null, data: { name: `step-${s}` } }));
      for (let k = 0; k < 100; k++) events.push(e({ kind: 'token', agent: `a${s % 50}`, span_id: S(s), data: { text: 'x', index: k } }));
      events.push(e({ kind: 'span.end', agent: `a${s % 50}`, span_id: S(s), data: { status: 'ok' } }));
    }
    const t = buildTrace(TRACE, events);
    expect(t.order).toHaveLength(1000);
    expect(t.tokens).toBe(100_000);
    expect(t.nodes[S(1000)].depth).toBe(9);
    expect(t.nodes[S(777)].text).toBe('x'.repeat(100));
  });
});
