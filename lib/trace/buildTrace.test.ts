import { describe, expect, it } from 'vitest';
import type { XrayEvent } from '../protocol/events';
import { eventFactory, type EventInput } from '../testing/events';
import { parsePriceTable } from '../cost/prices';
import { HOSTILE_NAMES, HOSTILE_TEXT, prototypeIsClean } from '../testing/hostileNames';
import { addTraceEvents, buildTrace, finishTrace, finishTraceSoFar, newTraceAccumulator, traceFromJson, type TraceTree } from './buildTrace';

const TRACE = 'abcdef0123456789abcdef0123456789';
const factory = eventFactory({ trace_id: TRACE, ts: (seq) => 1000 + seq });
const e = (p: EventInput, lamport?: number): XrayEvent => factory.event(lamport === undefined ? p : { ...p, lamport });
const S = (n: number) => n.toString(16).padStart(16, '0');

/** orchestrator → worker-1 (call S1) → chat span S2 → lookup call S3 to librarian (fails). */
function syntheticFailingTrace(): XrayEvent[] {
  factory.reset();
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
    factory.reset();
    const events = [
      e({ kind: 'span.start', agent: 'a', span_id: S(10), t: 5000, data: { name: 'later-by-clock-but-first' } }, 1),
      e({ kind: 'span.start', agent: 'b', span_id: S(11), t: 10, data: { name: 'second' } }, 2),
    ];
    expect(buildTrace(TRACE, events).order).toEqual([S(10), S(11)]);
  });

  it('reassembles tokens by index when they arrived out of order, and keeps orphan tokens per agent', () => {
    factory.reset();
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
    factory.reset();
    const t = buildTrace(TRACE, [
      e({ kind: 'call.request', agent: 'o', peer: 'w', span_id: S(1), data: { correlation_id: 'c', method: 'm', payload: '', timeout_ms: 50, via: 'rest' } }),
      e({ kind: 'call.timeout', agent: 'w', peer: 'o', span_id: S(1), data: { correlation_id: 'c', timeout_ms: 50, duration_ms: 50 } }),
    ]);
    expect(t.nodes[S(1)]).toMatchObject({ status: 'timeout', onFailurePath: true });
    expect(t.status).toBe('timeout');
    factory.reset();
    const running = buildTrace(TRACE, [e({ kind: 'span.start', agent: 'a', span_id: S(1), data: { name: 'x' } })]);
    expect(running.status).toBe('running');
  });

  it('[C4] shows gate checks as nodes: a refused claim on the failure path with its reason, a pass with its evidence', () => {
    factory.reset();
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
    factory.reset();
    const t = buildTrace(TRACE, [
      e({ kind: 'span.start', agent: 'a', span_id: S(1), parent_span_id: S(2), data: { name: 'a' } }),
      e({ kind: 'span.start', agent: 'a', span_id: S(2), parent_span_id: S(1), data: { name: 'b' } }),
    ]);
    expect(t.order.length).toBeLessThanOrEqual(2);
  });

  it('rebuilds a trace of 1,000 spans and 100,000 tokens completely', () => {
    factory.reset();
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

describe('buildTrace: conventions, attribution, usage', () => {
  const prices = parsePriceTable('models: [{ pattern: "gpt-4o-mini*", input: 0.15, output: 0.6 }]');

  it('[V2] a relay call’s time to first token and session; a span inherits the session and, when it names none, the agent', () => {
    factory.reset();
    const events = [
      e({ kind: 'call.request', agent: 'front', peer: 'bot', span_id: S(1), t: 1000, data: { correlation_id: 'c', method: 'ask', payload: 'q', timeout_ms: 1000, via: 'rest', session: 'conv-1' } }),
      e({ kind: 'token', agent: 'bot', span_id: S(1), t: 1040, data: { text: 'a' } }),
      e({ kind: 'token', agent: 'bot', span_id: S(1), t: 1030, data: { text: 'b', index: 0 } }),
      e({ kind: 'span.start', agent: 'svc', span_id: S(2), parent_span_id: S(1), data: { name: 'chat', attributes: { 'xray.agent.source': 'service', 'gen_ai.request.model': 'gpt-4o-mini' } } }),
      e({ kind: 'span.end', agent: 'svc', span_id: S(2), data: { status: 'ok', attributes: { 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 100 } } }),
      e({ kind: 'call.response', agent: 'bot', peer: 'front', span_id: S(1), t: 1100, data: { correlation_id: 'c', payload: 'a', duration_ms: 100 } }),
    ];
    const t = buildTrace(TRACE, events, { prices });
    expect(t.nodes[S(1)]).toMatchObject({ timeToFirstTokenMs: 30, sessionId: 'conv-1' });
    expect(t.nodes[S(2)]).toMatchObject({ agent: 'bot', agentInherited: true, sessionId: 'conv-1', model: 'gpt-4o-mini' });
    expect(t.nodes[S(2)].cost).toBeCloseTo((1000 * 0.15 + 100 * 0.6) / 1e6, 12);
    expect(t.sessions).toEqual(['conv-1']);
    expect(t.agents).toEqual(['bot', 'front']); // the service name stood in and is not an agent
  });

  it('[V5] usage repeated by an outer span counts once; unpriced models are counted as such', () => {
    factory.reset();
    const span = (id: number, parent: number | null, attributes: Record<string, string | number>) => [
      e({ kind: 'span.start', agent: 'a', span_id: S(id), parent_span_id: parent ? S(parent) : null, data: { name: `s${id}`, attributes } }),
      e({ kind: 'span.end', agent: 'a', span_id: S(id), data: { status: 'ok' } }),
    ];
    const t = buildTrace(
      TRACE,
      [
        ...span(1, null, { 'ai.operationId': 'ai.generateText', 'ai.usage.inputTokens': 30, 'ai.usage.outputTokens': 3, 'ai.model.id': 'gpt-4o-mini' }),
        ...span(2, 1, { 'ai.operationId': 'ai.generateText.doGenerate', 'ai.usage.inputTokens': 10, 'ai.usage.outputTokens': 1, 'ai.model.id': 'gpt-4o-mini' }),
        ...span(3, 1, { 'ai.operationId': 'ai.generateText.doGenerate', 'ai.usage.inputTokens': 20, 'ai.usage.outputTokens': 2, 'ai.model.id': 'gpt-4o-mini' }),
        ...span(4, null, { 'gen_ai.request.model': 'house-llm', 'gen_ai.usage.input_tokens': 5, 'gen_ai.usage.output_tokens': 5 }),
      ],
      { prices },
    );
    expect(t.usage).toMatchObject({ input: 35, output: 8, unpriced: 1 });
    expect(t.usage.cost).toBeCloseTo((30 * 0.15 + 3 * 0.6) / 1e6, 12);
    expect(t.byModel.map((m) => [m.model, m.input])).toEqual([
      ['gpt-4o-mini', 30],
      ['house-llm', 5],
    ]);
  });
});

describe('[G6] hostile names in a trace', () => {
  const hostileTrace = () => {
    factory.reset();
    const attributes = Object.fromEntries(HOSTILE_NAMES.map((n) => [n, n])); // an own `__proto__` key, as JSON.parse makes it
    return [
      e({ kind: 'call.request', agent: 'constructor', peer: '__proto__', span_id: S(1), data: { correlation_id: 'c1', method: 'toString', payload: HOSTILE_TEXT[0], timeout_ms: 1000, via: 'ws' } }),
      ...HOSTILE_NAMES.map((n, i) => e({ kind: 'span.start', agent: '__proto__', span_id: S(10 + i), parent_span_id: S(1), data: { name: n, attributes } })),
      e({ kind: 'token', agent: 'valueOf', data: { text: 'loose ' } }), // no span: the node `stream:valueOf`
      e({ kind: 'token', agent: '__proto__', data: { text: 'proto text' } }),
      // Bad parent ids that are prototype members must not become parents.
      e({ kind: 'span.start', agent: 'hasOwnProperty', span_id: S(99), parent_span_id: 'constructor', data: { name: 'orphan' } }),
      e({ kind: 'span.start', agent: 'hasOwnProperty', span_id: S(98), parent_span_id: '__proto__', data: { name: 'orphan 2' } }),
      e({ kind: 'call.error', agent: '__proto__', peer: 'constructor', span_id: S(1), data: { correlation_id: 'c1', code: 'worker_error', message: 'valueOf', duration_ms: 3 } }),
    ];
  };

  it('builds every node, keeps every attribute key as data and links only real parents', () => {
    const t = buildTrace(TRACE, hostileTrace());
    const root = t.nodes[S(1)];
    expect(root).toMatchObject({ name: 'toString', caller: 'constructor', agent: '__proto__', status: 'error', error: 'worker_error: valueOf' });
    expect(root.children).toHaveLength(HOSTILE_NAMES.length);
    for (const [i, n] of HOSTILE_NAMES.entries()) {
      const node = t.nodes[S(10 + i)];
      expect(node.name).toBe(n);
      expect(Object.keys(node.attributes).sort()).toEqual([...HOSTILE_NAMES].sort());
      expect(Object.hasOwn(node.attributes, '__proto__')).toBe(true);
      expect(node.attributes.__proto__).toBe('__proto__');
    }
    expect(t.nodes['stream:valueOf']).toMatchObject({ kind: 'stream', text: 'loose ', agent: 'valueOf' });
    expect(t.nodes['stream:__proto__']).toMatchObject({ kind: 'stream', text: 'proto text', agent: '__proto__' });
    expect(t.roots).toEqual(expect.arrayContaining([S(1), S(99), S(98), 'stream:valueOf', 'stream:__proto__']));
    expect(t.order).toHaveLength(Object.keys(t.nodes).length);
    // Ids the tree does not hold are absent, not Object.prototype's members.
    expect(t.nodes.constructor).toBeUndefined();
    expect(t.nodes.toString).toBeUndefined();
    expect(t.agents).toEqual(['__proto__', 'constructor', 'hasOwnProperty', 'valueOf']);
    expect(prototypeIsClean()).toBe(true);
  });

  it('survives the JSON round trip to the browser with its keys intact', () => {
    const sent = buildTrace(TRACE, hostileTrace());
    const got = traceFromJson(JSON.parse(JSON.stringify(sent)) as TraceTree);
    expect(Object.keys(got.nodes).sort()).toEqual(Object.keys(sent.nodes).sort());
    expect(got.nodes['stream:__proto__'].text).toBe('proto text');
    expect(got.nodes[S(10)].attributes.__proto__).toBe('__proto__');
    expect(Object.getPrototypeOf(got.nodes)).toBeNull();
    expect(Object.getPrototypeOf(got.nodes[S(10)].attributes)).toBeNull();
    expect(got.nodes.valueOf).toBeUndefined();
  });
});

describe('[G6] finishTraceSoFar: a trace finished part-way keeps folding', () => {
  const prices = parsePriceTable('models: [{ pattern: "gpt-4o-mini*", input: 0.15, output: 0.6 }]');
  /** Scenarios whose finish writes into nodes: inherited agents and sessions, conventions, out-of-order tokens, failures, gates. */
  function scenarios(): XrayEvent[][] {
    const failing = syntheticFailingTrace();
    factory.reset();
    const inherited = [
      e({ kind: 'call.request', agent: 'front', peer: 'bot', span_id: S(1), t: 1000, data: { correlation_id: 'c', method: 'ask', payload: 'q', timeout_ms: 1000, via: 'rest', session: 'conv-1' } }),
      e({ kind: 'token', agent: 'bot', span_id: S(1), t: 1040, data: { text: 'a', index: 1 } }),
      e({ kind: 'token', agent: 'bot', span_id: S(1), t: 1030, data: { text: 'b', index: 0 } }),
      e({ kind: 'span.start', agent: 'svc', span_id: S(2), parent_span_id: S(1), data: { name: 'chat', attributes: { 'xray.agent.source': 'service', 'gen_ai.request.model': 'gpt-4o-mini' } } }),
      e({ kind: 'token', agent: 'svc', span_id: S(2), data: { text: 'late ', index: 2 } }),
      e({ kind: 'token', agent: 'svc', span_id: S(2), data: { text: 'early ', index: 0 } }),
      e({ kind: 'span.end', agent: 'svc', span_id: S(2), data: { status: 'ok', attributes: { 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 100 } } }),
      e({ kind: 'token', agent: 'svc', span_id: S(2), data: { text: 'middle ', index: 1 } }),
      e({ kind: 'gate.check', agent: 'front', span_id: S(3), parent_span_id: S(1), data: { gate: 'g', verdict: 'fail', attempt: 1, evidence: [], requirements: [{ requirement: 'r', ok: false, reason: 'no evidence' }] } }),
      e({ kind: 'token', agent: 'x', data: { text: 'loose' } }),
      e({ kind: 'call.response', agent: 'bot', peer: 'front', span_id: S(1), t: 1100, data: { correlation_id: 'c', payload: 'a', duration_ms: 100 } }),
    ];
    return [failing, inherited];
  }

  it('[G6] finished after any prefix, then fed the rest, it equals one fold of everything; the first finish is the prefix\'s tree', () => {
    for (const events of scenarios()) {
      const whole = JSON.stringify(buildTrace(TRACE, events, { prices }));
      for (let k = 1; k < events.length; k++) {
        const acc = newTraceAccumulator(TRACE);
        addTraceEvents(acc, events.slice(0, k));
        expect(JSON.stringify(finishTraceSoFar(acc, { prices }))).toBe(JSON.stringify(buildTrace(TRACE, events.slice(0, k), { prices })));
        expect(JSON.stringify(finishTraceSoFar(acc, { prices }))).toBe(JSON.stringify(buildTrace(TRACE, events.slice(0, k), { prices }))); // twice: nothing left behind
        addTraceEvents(acc, events.slice(k));
        expect(JSON.stringify(finishTraceSoFar(acc, { prices })), `split at ${k}`).toBe(whole);
        expect(JSON.stringify(finishTrace(acc, { prices }))).toBe(whole);
      }
    }
  });
});
