import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatTraceparent, mintSpanId, mintTraceId } from '../../lib/protocol/ids';
import type { EventOf } from '../../lib/protocol/events';
import type { RelayToAgent } from '../../lib/protocol/relay';
import { postJson, startTestRelay, TestAgent, waitFor } from '../testing/harness';

type Relay = Awaited<ReturnType<typeof startTestRelay>>;
type InboundCall = Extract<RelayToAgent, { type: 'inbound_call' }>;

let relay: Relay;
const agents: TestAgent[] = [];
const connect = async (name?: string) => {
  const a = await TestAgent.connect(relay.wsUrl, name);
  agents.push(a);
  return a;
};

beforeEach(async () => {
  relay = await startTestRelay();
});
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()));
  await relay.close();
});

describe('calls', () => {
  it('[R1] routes a REST call to a worker and answers with its response, propagating the trace', async () => {
    const worker = await connect('worker-1');
    const traceId = mintTraceId();
    const parentSpan = mintSpanId();
    const pending = postJson(`${relay.url}/v1/call`, { to: 'worker-1', method: 'process', payload: '{"id":"t1"}' }, { traceparent: formatTraceparent(traceId, parentSpan) });
    const call = await worker.next<InboundCall>((m) => m.type === 'inbound_call');
    expect(call).toMatchObject({ method: 'process', payload: '{"id":"t1"}', from: 'rest', trace_id: traceId });
    expect(call.traceparent).toBe(formatTraceparent(traceId, call.span_id));
    worker.send({ type: 'call_response', correlation_id: call.correlation_id, payload: '{"ok":true}' });
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ payload: '{"ok":true}', from: 'worker-1', trace_id: traceId, span_id: call.span_id });
    expect(res.headers.get('traceparent')).toBe(formatTraceparent(traceId, call.span_id));
    const events = (await relay.log.read({ traceId }));
    expect(events.map((e) => e.kind)).toEqual(['call.request', 'call.response']);
    expect(events[0]).toMatchObject({ agent: 'rest', peer: 'worker-1', span_id: call.span_id, parent_span_id: parentSpan });
    expect(events[1].lamport).toBeGreaterThan(events[0].lamport);
  });

  it('[R1] mints a trace when none is given, and a worker’s downstream call joins it', async () => {
    const orchestrator = await connect('orch');
    const worker = await connect('worker-1');
    const helper = await connect('helper');
    orchestrator.send({ type: 'call', ref: 'r1', to: 'worker-1', method: 'plan', payload: 'p' });
    const call = await worker.next<InboundCall>((m) => m.type === 'inbound_call');
    expect(call.trace_id).toMatch(/^[0-9a-f]{32}$/);
    worker.send({ type: 'call', ref: 'sub', to: 'helper', method: 'lookup', payload: 'q', trace_id: call.trace_id, parent_span_id: call.span_id });
    const sub = await helper.next<InboundCall>((m) => m.type === 'inbound_call');
    expect(sub.trace_id).toBe(call.trace_id);
    helper.send({ type: 'call_response', correlation_id: sub.correlation_id, payload: 'found' });
    expect(await worker.next((m) => m.type === 'call_result')).toMatchObject({ ref: 'sub', payload: 'found' });
    worker.send({ type: 'call_response', correlation_id: call.correlation_id, payload: 'done' });
    expect(await orchestrator.next((m) => m.type === 'call_result')).toMatchObject({ ref: 'r1', payload: 'done', trace_id: call.trace_id });
    const requests = (await relay.log.read({ traceId: call.trace_id, kinds: ['call.request'] }));
    expect(requests.map((e) => [e.agent, e.peer])).toEqual([
      ['orch', 'worker-1'],
      ['worker-1', 'helper'],
    ]);
    expect(requests[1].parent_span_id).toBe(call.span_id);
  });

  it('[R2] answers an unknown target with 404 unknown_target', async () => {
    const res = await postJson(`${relay.url}/v1/call`, { to: 'nobody', method: 'x', payload: '' });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('unknown_target');
    expect(await relay.log.read({ kinds: ['call.request'] })).toHaveLength(0);
  });

  it('[R5] answers 504 call_timeout when the worker never answers, and refuses its late answer', async () => {
    const worker = await connect('slow');
    const pending = postJson(`${relay.url}/v1/call`, { to: 'slow', method: 'x', payload: '', timeout_ms: 150 });
    const call = await worker.next<InboundCall>((m) => m.type === 'inbound_call');
    const res = await pending;
    expect(res.status).toBe(504);
    expect(res.body).toMatchObject({ error: { code: 'call_timeout' }, trace_id: call.trace_id });
    expect((await relay.log.read({ traceId: call.trace_id })).map((e) => e.kind)).toEqual(['call.request', 'call.timeout']);
    worker.send({ type: 'call_response', correlation_id: call.correlation_id, payload: 'too late' });
    expect(await worker.next((m) => m.type === 'error')).toMatchObject({ code: 'unknown_correlation', ref: call.correlation_id });
  });

  it('[R4] answers 502 worker_disconnected when the worker drops mid-call', async () => {
    const worker = await connect('flaky');
    const pending = postJson(`${relay.url}/v1/call`, { to: 'flaky', method: 'x', payload: '' });
    await worker.next((m) => m.type === 'inbound_call');
    worker.ws.terminate();
    const res = await pending;
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('worker_disconnected');
    await waitFor(async () => (await relay.log.read({ kinds: ['agent.disconnect'] })).length === 1);
  });

  it('[R6] relays a worker error as 502 worker_error with its message', async () => {
    const worker = await connect('failing');
    const pending = postJson(`${relay.url}/v1/call`, { to: 'failing', method: 'x', payload: '' });
    const call = await worker.next<InboundCall>((m) => m.type === 'inbound_call');
    worker.send({ type: 'call_response', correlation_id: call.correlation_id, error: 'model refused' });
    const res = await pending;
    expect(res.status).toBe(502);
    expect(res.body.error).toEqual({ code: 'worker_error', message: 'model refused' });
  });

  it('[R3] refuses a second live registration of a name with name_taken, and frees it on disconnect', async () => {
    const first = await connect('dup');
    const second = await connect();
    second.send({ type: 'register', name: 'dup' });
    expect(await second.next((m) => m.type === 'error')).toMatchObject({ code: 'name_taken' });
    await first.close();
    await waitFor(() => !relay.relay.isConnected('dup'));
    second.send({ type: 'register', name: 'dup' });
    expect(await second.next((m) => m.type === 'registered')).toMatchObject({ name: 'dup' });
  });

  it('[R7] refuses a call to self', async () => {
    const a = await connect('narcissus');
    a.send({ type: 'call', ref: 'me', to: 'narcissus', method: 'x', payload: '' });
    expect(await a.next((m) => m.type === 'call_result')).toMatchObject({ ref: 'me', error: { code: 'call_to_self' } });
  });
});

describe('topics', () => {
  it('[R9] delivers broadcasts to WS subscribers and SSE with the exact payload, and resumes SSE from Last-Event-ID', async () => {
    const sub = await connect('listener');
    sub.send({ type: 'subscribe', topic: 'swarm.announce' });
    await waitFor(async () => (await relay.log.read({ kinds: ['subscribe'] })).length === 1);
    const payloads = ['{"name":"worker-1"}', 'two\nlines', '{"name":"worker-3"}'];
    const first = await postJson(`${relay.url}/v1/broadcast`, { topic: 'swarm.announce', payload: payloads[0] });
    expect(first.status).toBe(200);
    expect(await sub.next((m) => m.type === 'message')).toMatchObject({ topic: 'swarm.announce', payload: payloads[0], from: 'rest', seq: first.body.seq });
    // Another topic in between must not show up.
    await postJson(`${relay.url}/v1/broadcast`, { topic: 'swarm.health', payload: 'noise' });
    for (const p of payloads.slice(1)) await postJson(`${relay.url}/v1/broadcast`, { topic: 'swarm.announce', payload: p });

    // Resume after the first: SSE replays the rest from the log, exactly.
    const ctrl = new AbortController();
    const res = await fetch(`${relay.url}/v1/subscribe?topic=swarm.announce`, { headers: { 'last-event-id': String(first.body.seq) }, signal: ctrl.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    const dec = new TextDecoder();
    await waitFor(async () => {
      const { value } = await reader.read();
      text += dec.decode(value);
      return (text.match(/\n\n/g) ?? []).length >= 3; // retry + two events
    });
    // Live delivery after the replay.
    const live = await postJson(`${relay.url}/v1/broadcast`, { topic: 'swarm.announce', payload: 'live' });
    await waitFor(async () => {
      const { value } = await reader.read();
      text += dec.decode(value);
      return text.includes('data: live');
    });
    ctrl.abort();
    const events = text
      .split('\n\n')
      .filter((b) => b.startsWith('id:'))
      .map((b) => {
        const lines = b.split('\n');
        return { id: Number(lines[0].slice(4)), data: lines.slice(1).map((l) => l.slice(6)).join('\n') };
      });
    expect(events.map((e) => e.data)).toEqual([...payloads.slice(1), 'live']);
    expect(events.at(-1)!.id).toBe(live.body.seq);
  });

  it('[G6] refuses an SSE subscription without a topic', async () => {
    const res = await fetch(`${relay.url}/v1/subscribe`);
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('invalid_message');
  });
});

describe('frames', () => {
  it('[R10] lands tokens that carry only a correlation id in the caller’s trace, acked after commit, stored once', async () => {
    const worker = await connect('writer');
    const pending = postJson(`${relay.url}/v1/call`, { to: 'writer', method: 'write', payload: '' });
    const call = await worker.next<InboundCall>((m) => m.type === 'inbound_call');
    const frames = ['Hel', 'lo', ' world'].map((text, index) => ({ type: 'token', id: `tok-${index}`, correlation_id: call.correlation_id, index, text }));
    worker.send({ type: 'frames', frames, ack: true });
    worker.send({ type: 'frames', frames, ack: true }); // a retry: must not be stored twice
    // Both messages are acked in full (acks of one commit may share one `ack` message).
    const acked: string[] = [];
    while (acked.length < 6) acked.push(...(await worker.next<{ type: 'ack'; ids: string[] }>((m) => m.type === 'ack')).ids);
    expect(acked.sort()).toEqual(['tok-0', 'tok-0', 'tok-1', 'tok-1', 'tok-2', 'tok-2']);
    const tokens = (await relay.log.read({ kinds: ['token'] })) as EventOf<'token'>[];
    expect(tokens.map((t) => t.data.text).join('')).toBe('Hello world');
    expect(tokens.every((t) => t.trace_id === call.trace_id && t.span_id === call.span_id)).toBe(true);
    worker.send({ type: 'call_response', correlation_id: call.correlation_id, payload: 'Hello world' });
    expect((await pending).status).toBe(200);
  });
});

describe('bad input', () => {
  it('[R8][G6] answers malformed, unknown and unregistered messages with coded errors and stores nothing', async () => {
    const a = await connect();
    const head = (await relay.log.head());
    a.send('{"type":');
    expect(await a.next((m) => m.type === 'error')).toMatchObject({ code: 'bad_json' });
    a.send({ type: 'teleport' });
    expect(await a.next((m) => m.type === 'error')).toMatchObject({ code: 'unknown_type' });
    a.send({ type: 'register', name: 42 });
    expect(await a.next((m) => m.type === 'error')).toMatchObject({ code: 'invalid_message' });
    a.send({ type: 'token', text: 'x' });
    expect(await a.next((m) => m.type === 'error')).toMatchObject({ code: 'not_registered' });
    a.send({ type: 'register', name: 'ok-agent' });
    await a.next((m) => m.type === 'registered');
    await waitFor(async () => (await relay.log.head()) === head + 1); // the register itself
    expect((await relay.log.read({ after: head })).map((e) => e.kind)).toEqual(['agent.register']);
  });

  it('[G6] answers a bad REST body with 400 and a code', async () => {
    const res = await postJson(`${relay.url}/v1/call`, '{nope');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_json');
    const wrong = await postJson(`${relay.url}/v1/broadcast`, { topic: 'x', payload: { not: 'a string' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('invalid_message');
    expect((await fetch(`${relay.url}/v1/nothing`)).status).toBe(404);
  });
});
