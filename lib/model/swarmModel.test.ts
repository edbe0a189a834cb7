import { describe, expect, it } from 'vitest';
import { eventFactory } from '../testing/events';
import { HOSTILE_TEXT, PROTOTYPE_NAMES, prototypeIsClean } from '../testing/hostileNames';
import { applyEvents, createSwarmModel, edgeKey, RECENT_TEXT_CHARS, recentTextOf } from './swarmModel';

const T1 = '1'.repeat(32);
const T2 = '2'.repeat(32);
const events = eventFactory({ ts: (seq) => seq * 10, lamport: 0 });
const e = events.event;

describe('swarm model', () => {
  it('follows an agent through register, call, tokens, response and disconnect', () => {
    const m = createSwarmModel();
    applyEvents(m, [
      e({ kind: 'agent.register', agent: 'w1', data: { transport: 'ws', capabilities: ['process'] } }),
      e({ kind: 'call.request', agent: 'orch', peer: 'w1', trace_id: T1, data: { correlation_id: 'c', method: 'process', payload: '', timeout_ms: 1, via: 'ws' } }),
    ]);
    expect(m.agents.get('w1')).toMatchObject({ connected: true, status: 'working', inflight: 1, callsIn: 1, capabilities: ['process'] });
    expect(m.edges.get(edgeKey('call', 'orch', 'w1'))).toMatchObject({ calls: 1, inflight: 1 });
    applyEvents(m, [
      e({ kind: 'token', agent: 'w1', trace_id: T1, data: { text: 'Hel' } }),
      e({ kind: 'token', agent: 'w1', trace_id: T1, data: { text: 'lo' } }),
    ]);
    expect(m.agents.get('w1')).toMatchObject({ status: 'streaming', tokens: 2, recentText: 'Hello', recentTraceId: T1 });
    applyEvents(m, [e({ kind: 'call.response', agent: 'w1', peer: 'orch', trace_id: T1, data: { correlation_id: 'c', payload: '', duration_ms: 5 } })]);
    expect(m.agents.get('w1')).toMatchObject({ status: 'idle', inflight: 0 });
    expect(m.edges.get(edgeKey('call', 'orch', 'w1'))!.inflight).toBe(0);
    applyEvents(m, [e({ kind: 'agent.disconnect', agent: 'w1', data: { reason: 'bye' } })]);
    expect(m.agents.get('w1')).toMatchObject({ connected: false, status: 'gone' });
    expect(m.totals).toEqual({ events: 6, tokens: 2, calls: 1, errors: 0 });
    expect(m.seq).toBe(events.lastSeq);
  });

  it('marks errors and timeouts on the worker and the edge', () => {
    const m = createSwarmModel();
    applyEvents(m, [
      e({ kind: 'call.request', agent: 'orch', peer: 'w2', data: { correlation_id: 'a', method: 'x', payload: '', timeout_ms: 1, via: 'ws' } }),
      e({ kind: 'call.request', agent: 'orch', peer: 'w2', data: { correlation_id: 'b', method: 'x', payload: '', timeout_ms: 1, via: 'ws' } }),
      e({ kind: 'call.error', agent: 'w2', peer: 'orch', data: { correlation_id: 'a', code: 'worker_error', message: 'boom', duration_ms: 1 } }),
      e({ kind: 'call.timeout', agent: 'w2', peer: 'orch', data: { correlation_id: 'b', timeout_ms: 100, duration_ms: 100 } }),
    ]);
    expect(m.agents.get('w2')).toMatchObject({ status: 'error', errors: 2, inflight: 0, lastError: 'call_timeout after 100 ms' });
    expect(m.edges.get(edgeKey('call', 'orch', 'w2'))).toMatchObject({ calls: 2, errors: 2, inflight: 0 });
    expect(m.totals.errors).toBe(2);
  });

  it('records load and capabilities from swarm.health and swarm.announce, ignoring junk payloads', () => {
    const m = createSwarmModel();
    applyEvents(m, [
      e({ kind: 'broadcast', agent: 'w3', topic: 'swarm.announce', data: { payload: JSON.stringify({ name: 'w3', capabilities: ['process', 'summarize', 7] }) } }),
      e({ kind: 'broadcast', agent: 'w3', topic: 'swarm.health', data: { payload: JSON.stringify({ name: 'w3', activeTasks: 3, maxTasks: 10 }) } }),
      e({ kind: 'broadcast', agent: 'w3', topic: 'swarm.health', data: { payload: 'not json' } }),
    ]);
    expect(m.agents.get('w3')).toMatchObject({ capabilities: ['process', 'summarize'], load: { active: 3, max: 10 } });
    expect(m.edges.get(edgeKey('topic', 'swarm.health', 'w3'))!.calls).toBe(2);
  });

  it('keeps only the recent text of the current trace', () => {
    const m = createSwarmModel();
    applyEvents(m, [e({ kind: 'token', agent: 'w', trace_id: T1, data: { text: 'x'.repeat(500) } })]);
    expect(recentTextOf(m.agents.get('w')!)).toBe('x'.repeat(RECENT_TEXT_CHARS));
    applyEvents(m, [e({ kind: 'token', agent: 'w', trace_id: T2, data: { text: 'new' } })]);
    expect(m.agents.get('w')).toMatchObject({ recentText: 'new', recentTraceId: T2 });
  });

  it('keeps the exact tail of many small tokens within twice its length [issue 18]', () => {
    const m = createSwarmModel();
    let streamed = '';
    for (let i = 0; i < 2000; i++) {
      const text = ` t${i}`;
      streamed += text;
      applyEvents(m, [e({ kind: 'token', agent: 'w', trace_id: T1, data: { text } })]);
      const a = m.agents.get('w')!;
      expect(a.recentText.length).toBeLessThanOrEqual(2 * RECENT_TEXT_CHARS);
      if (i % 97 === 0) expect(recentTextOf(a)).toBe(streamed.slice(-RECENT_TEXT_CHARS));
    }
    expect(recentTextOf(m.agents.get('w')!)).toBe(streamed.slice(-RECENT_TEXT_CHARS));
  });

  it('stamps each changed agent and edge with the seq that changed it', () => {
    const m = createSwarmModel();
    applyEvents(m, [e({ kind: 'agent.register', agent: 'a', data: { transport: 'ws' } }), e({ kind: 'agent.register', agent: 'b', data: { transport: 'ws' } })]);
    const after = events.lastSeq;
    applyEvents(m, [e({ kind: 'token', agent: 'a', data: { text: 't' } })]);
    expect([...m.agents.values()].filter((a) => a.seq > after).map((a) => a.name)).toEqual(['a']);
  });
});

describe('swarm model from OTLP-only swarms', () => {
  const span = (id: string, parent: string | null, attributes: Record<string, string>, agent = 'crew-svc') =>
    e({ kind: 'span.start', agent, trace_id: T1, span_id: id.padStart(16, '0'), parent_span_id: parent ? parent.padStart(16, '0') : null, data: { name: id, attributes } });

  it('[V3] draws an agent-to-agent edge for an invoke_agent span under another agent’s span, even when the parent lands later', () => {
    const m = createSwarmModel();
    const inherited = { 'xray.agent.source': 'service' };
    applyEvents(m, [
      span('3', '2', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'writer' }, 'writer'),
      span('2', '1', { ...inherited, 'gen_ai.operation.name': 'execute_tool' }),
    ]);
    expect(m.edges.size).toBe(0);
    applyEvents(m, [span('1', null, { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner' }, 'planner')]);
    expect(m.edges.get(edgeKey('call', 'planner', 'writer'))).toMatchObject({ kind: 'call', calls: 1 });
    expect(m.agents.has('crew-svc')).toBe(false);
    // A failing span that names no agent counts against the agent it works for.
    applyEvents(m, [e({ kind: 'span.end', agent: 'crew-svc', trace_id: T1, span_id: '2'.padStart(16, '0'), data: { status: 'error', error: 'tool failed' } })]);
    expect(m.agents.get('planner')).toMatchObject({ errors: 1, lastError: 'tool failed' });
    expect(m.agents.has('crew-svc')).toBe(false);
  });
});

describe('[G6] hostile agent names and topics', () => {
  it.each(PROTOTYPE_NAMES.map((n) => [n]))('%s registers, calls, streams, broadcasts and disconnects as an ordinary agent', (name) => {
    const m = createSwarmModel();
    applyEvents(m, [
      e({ kind: 'agent.register', agent: name, data: { transport: 'ws', capabilities: [name] } }),
      e({ kind: 'agent.register', agent: 'peer', data: { transport: 'ws' } }),
      e({ kind: 'call.request', agent: name, peer: 'peer', trace_id: T1, data: { correlation_id: 'c1', method: name, payload: name, timeout_ms: 1, via: 'ws' } }),
      e({ kind: 'call.request', agent: 'peer', peer: name, trace_id: T1, data: { correlation_id: 'c2', method: name, payload: name, timeout_ms: 1, via: 'ws' } }),
      e({ kind: 'token', agent: name, trace_id: T1, data: { text: name } }),
      e({ kind: 'call.error', agent: name, peer: 'peer', trace_id: T1, data: { correlation_id: 'c2', code: 'worker_error', message: name, duration_ms: 1 } }),
      e({ kind: 'broadcast', agent: name, topic: name, data: { payload: name } }),
      e({ kind: 'broadcast', agent: name, topic: 'swarm.announce', data: { payload: JSON.stringify({ name, capabilities: ['x'] }) } }),
    ]);
    expect(m.agents.size).toBe(2);
    expect(m.agents.get(name)).toMatchObject({ name, connected: true, callsIn: 1, callsOut: 1, tokens: 1, errors: 1, status: 'error', lastError: `worker_error: ${name}`, recentText: name, capabilities: ['x'] });
    expect(m.edges.get(edgeKey('call', name, 'peer'))).toMatchObject({ calls: 1, inflight: 1 });
    expect(m.edges.get(edgeKey('call', 'peer', name))).toMatchObject({ calls: 1, errors: 1, inflight: 0 });
    expect(m.edges.get(edgeKey('topic', name, name))).toMatchObject({ kind: 'topic', calls: 1 });
    applyEvents(m, [e({ kind: 'agent.disconnect', agent: name, data: { reason: 'bye' } })]);
    expect(m.agents.get(name)).toMatchObject({ connected: false, status: 'gone' });
    expect(prototypeIsClean()).toBe(true);
  });

  it('keeps the edge of an agent named `topic:a` calling `b` apart from topic `a` heard by `b`', () => {
    const m = createSwarmModel();
    applyEvents(m, [
      e({ kind: 'call.request', agent: 'topic:a', peer: 'b', data: { correlation_id: 'c', method: 'm', payload: '', timeout_ms: 1, via: 'ws' } }),
      e({ kind: 'broadcast', agent: 'b', topic: 'a', data: { payload: 'p' } }),
    ]);
    expect(m.edges.size).toBe(2);
    expect(m.edges.get(edgeKey('call', 'topic:a', 'b'))).toMatchObject({ kind: 'call', inflight: 1 });
    expect(m.edges.get(edgeKey('topic', 'a', 'b'))).toMatchObject({ kind: 'topic', inflight: 0 });
  });

  it.each(HOSTILE_TEXT.map((n) => [n.slice(0, 40), n]))('refuses to conjure an agent named %s from a swarm.announce payload', (_label, name) => {
    const m = createSwarmModel();
    applyEvents(m, [e({ kind: 'broadcast', agent: 'w', topic: 'swarm.announce', data: { payload: JSON.stringify({ name, capabilities: ['x'] }) } })]);
    expect([...m.agents.keys()]).toEqual([]);
  });
});

describe('swarm model: disconnected agents kept for display', () => {
  const register = (name: string) => e({ kind: 'agent.register', agent: name, data: { transport: 'ws', capabilities: [] } });
  const leave = (name: string) => e({ kind: 'agent.disconnect', agent: name, data: { reason: 'bye' } });

  it('one disconnect in a swarm past 2,000 agents drops no agent that never connected (OTLP, REST) and keeps the one that left', () => {
    const m = createSwarmModel();
    applyEvents(m, Array.from({ length: 2500 }, (_, i) => register(`ws-${i}`)));
    // Known from their tokens only: never connected.
    applyEvents(m, Array.from({ length: 300 }, (_, i) => e({ kind: 'token', agent: `otlp-${i}`, trace_id: T1, data: { text: 'x' } })));
    applyEvents(m, [leave('ws-7')]);
    expect(m.agents.size).toBe(2800);
    expect(m.agents.get('ws-7')).toMatchObject({ status: 'gone' });
    expect(m.agents.has('otlp-0')).toBe(true);
  });

  it('past 2,000 agents that left, the oldest to leave are dropped; connected ones never are', () => {
    const m = createSwarmModel();
    applyEvents(m, Array.from({ length: 2100 }, (_, i) => register(`a-${i}`)));
    applyEvents(m, [register('stays')]);
    applyEvents(m, Array.from({ length: 2100 }, (_, i) => leave(`a-${i}`)));
    expect(m.agents.size).toBe(2001);
    expect(m.agents.has('stays')).toBe(true);
    expect(m.agents.has('a-0')).toBe(false);
    expect(m.agents.has('a-99')).toBe(false);
    expect(m.agents.has('a-100')).toBe(true);
    expect(m.agents.has('a-2099')).toBe(true);
  });
});
