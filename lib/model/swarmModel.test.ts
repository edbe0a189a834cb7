import { describe, expect, it } from 'vitest';
import type { NewEvent, XrayEvent } from '../protocol/events';
import { applyEvents, createSwarmModel, edgeKey, RECENT_TEXT_CHARS } from './swarmModel';

const T1 = '1'.repeat(32);
const T2 = '2'.repeat(32);
let seq = 0;
function e(partial: Partial<NewEvent> & Pick<NewEvent, 'kind' | 'agent' | 'data'>): XrayEvent {
  seq++;
  return { seq, id: `e${seq}`, ts: seq * 10, t: null, trace_id: null, span_id: null, parent_span_id: null, peer: null, topic: null, lamport: 0, ...partial } as XrayEvent;
}

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
    expect(m.seq).toBe(seq);
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
    expect(m.agents.get('w')!.recentText).toHaveLength(RECENT_TEXT_CHARS);
    applyEvents(m, [e({ kind: 'token', agent: 'w', trace_id: T2, data: { text: 'new' } })]);
    expect(m.agents.get('w')).toMatchObject({ recentText: 'new', recentTraceId: T2 });
  });

  it('stamps each changed agent and edge with the seq that changed it', () => {
    const m = createSwarmModel();
    applyEvents(m, [e({ kind: 'agent.register', agent: 'a', data: { transport: 'ws' } }), e({ kind: 'agent.register', agent: 'b', data: { transport: 'ws' } })]);
    const after = seq;
    applyEvents(m, [e({ kind: 'token', agent: 'a', data: { text: 't' } })]);
    expect([...m.agents.values()].filter((a) => a.seq > after).map((a) => a.name)).toEqual(['a']);
  });
});
