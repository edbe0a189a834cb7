import { describe, expect, it } from 'vitest';
import { eventFactory } from '../testing/events';
import { SessionIndex } from './sessionIndex';

const e = eventFactory({ ts: (seq) => 1000 + seq }).event;
const T = (n: number) => n.toString(16).padStart(32, '0');
const call = (trace: number, session?: string) => e({ kind: 'call.request', agent: 'orch', peer: 'worker', trace_id: T(trace), span_id: '1'.padStart(16, '0'), data: { correlation_id: 'c', method: 'm', payload: '', timeout_ms: 1, via: 'ws', ...(session ? { session } : {}) } });
const span = (trace: number, attributes: Record<string, string>, agent = 'a') => e({ kind: 'span.start', agent, trace_id: T(trace), span_id: '2'.padStart(16, '0'), data: { name: 's', attributes } });

describe('session index', () => {
  it('[V4] groups traces by every convention’s session field and the relay call’s `session`', () => {
    const ix = new SessionIndex();
    ix.apply([
      call(1, 'chat-1'),
      span(2, { 'gen_ai.conversation.id': 'chat-1', 'gen_ai.agent.name': 'planner' }, 'planner'),
      span(3, { 'session.id': 'chat-2' }),
      span(4, { 'ai.telemetry.metadata.sessionId': 'chat-2' }),
      span(5, { session: 'chat-3' }),
      call(6),
    ]);
    expect([...ix.get('chat-1')!.traces.keys()]).toEqual([T(1), T(2)]);
    expect([...ix.get('chat-2')!.traces.keys()]).toEqual([T(3), T(4)]);
    expect(ix.get('chat-3')!.traces.size).toBe(1);
    expect(ix.get('chat-1')!.agents).toEqual(new Set(['worker', 'planner']));
    expect(ix.list({ limit: 10 }).map((s) => s.session_id)).toEqual(['chat-3', 'chat-2', 'chat-1']);
  });

  it('[V4] later events of a session’s trace move its clock; pages by last activity', () => {
    const ix = new SessionIndex();
    ix.apply([call(1, 'old'), call(2, 'new')]);
    ix.apply([e({ kind: 'call.response', agent: 'worker', peer: 'orch', trace_id: T(1), span_id: '1'.padStart(16, '0'), data: { correlation_id: 'c', payload: '', duration_ms: 1 } })]);
    const [first, second] = ix.list({ limit: 10 });
    expect(first.session_id).toBe('old');
    expect(ix.list({ limit: 10, before: first.last_ts }).map((s) => s.session_id)).toEqual([second.session_id]);
    expect(ix.list({ limit: 10, q: 'NE' }).map((s) => s.session_id)).toEqual(['new']);
  });

  it('[G6] hostile session names are plain keys, and the index stays bounded', () => {
    const ix = new SessionIndex({ sessions: 50, tracesPerSession: 5, agentsPerSession: 4 });
    ix.apply([call(1, '__proto__'), call(2, 'constructor')]);
    expect(ix.get('__proto__')!.traces.size).toBe(1);
    expect(ix.get('toString')).toBeUndefined();
    for (let i = 0; i < 500; i++) ix.apply([call(100 + i, `s${i % 100}`)]);
    expect(ix.sessions.size).toBeLessThanOrEqual(50);
    for (const s of ix.sessions.values()) expect(s.traces.size).toBeLessThanOrEqual(5);
  });
});
