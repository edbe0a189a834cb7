/**
 * Sessions against a real relay and log: relay calls carrying a `session` field, SDK span
 * frames and an OTLP span naming the same conversation are grouped into one session, with
 * usage and cost rolled up; the agent inspector reports the agent's usage; bad ids refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionDetail } from '../../lib/sessions/sessionRollup';
import type { SessionSummary } from '../../lib/sessions/sessionIndex';
import { postJson, startTestApi, startTestRelay, TestAgent } from '../testing/harness';

let relay: Awaited<ReturnType<typeof startTestRelay>>;
let api: Awaited<ReturnType<typeof startTestApi>>;
let worker: TestAgent;

beforeAll(async () => {
  relay = await startTestRelay();
  api = await startTestApi(relay);
  worker = await TestAgent.connect(relay.wsUrl, 'support-bot');
  // The worker answers each call after streaming a model span (usage on its end) under the call's span.
  worker.ws.on('message', (raw) => {
    const m = JSON.parse(raw.toString());
    if (m.type !== 'inbound_call') return;
    // A child span id that differs from the call's (a call span id starting with 'f' would collide with 'f…').
    const span = ((m.span_id as string)[0] === 'f' ? 'e' : 'f') + (m.span_id as string).slice(1);
    worker.send({
      type: 'frames',
      frames: [
        { type: 'span.start', trace_id: m.trace_id, span_id: span, parent_span_id: m.span_id, name: 'chat', attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini' } },
        { type: 'token', trace_id: m.trace_id, span_id: span, text: 'Sure, ' },
        { type: 'span.end', trace_id: m.trace_id, span_id: span, attributes: { 'gen_ai.usage.input_tokens': 1_000_000, 'gen_ai.usage.output_tokens': 100_000 } },
      ],
    });
    setTimeout(() => worker.send({ type: 'call_response', correlation_id: m.correlation_id, payload: `answer to ${m.payload}` }), 20);
  });
});
afterAll(async () => {
  await worker?.close();
  await api?.close();
  await relay?.close();
});

const getJson = async <T>(path: string): Promise<{ status: number; body: T }> => {
  const res = await fetch(`${api.url}${path}`);
  return { status: res.status, body: (await res.json()) as T };
};

describe('[V4] sessions', () => {
  it('groups relay calls with a `session` field and an OTLP span naming the conversation; rolls up usage and cost', async () => {
    for (const question of ['reset password', 'billing']) {
      const r = await postJson(`${relay.url}/v1/call`, { to: 'support-bot', method: 'ask', payload: question, from: 'frontdesk', session: 'ticket-7' });
      expect(r.status).toBe(200);
    }
    const otherCall = await postJson(`${relay.url}/v1/call`, { to: 'support-bot', method: 'ask', payload: 'unrelated', from: 'frontdesk' });
    expect(otherCall.status).toBe(200);
    const otlp = await postJson(`${relay.url}/v1/traces`, {
      resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'escalations' } }] }, scopeSpans: [{ spans: [{ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: 'invoke_agent triage', kind: 1, startTimeUnixNano: String(Date.now() * 1e6), endTimeUnixNano: String((Date.now() + 5) * 1e6), attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: 'invoke_agent' } }, { key: 'gen_ai.agent.name', value: { stringValue: 'triage' } }, { key: 'gen_ai.conversation.id', value: { stringValue: 'ticket-7' } }], status: { code: 1 } }] }] }],
    });
    expect(otlp.status).toBe(200);

    const list = await getJson<{ sessions: SessionSummary[] }>('/api/sessions');
    expect(list.status).toBe(200);
    const ticket = list.body.sessions.find((s) => s.session_id === 'ticket-7')!;
    expect(ticket).toMatchObject({ traces: 3 });
    expect(ticket.agents).toEqual(['support-bot', 'triage']);
    expect(list.body.sessions).toHaveLength(1); // the call without a session joins none

    const detail = await getJson<SessionDetail>('/api/sessions/ticket-7');
    expect(detail.status).toBe(200);
    expect(detail.body.traces).toHaveLength(3);
    expect(detail.body.traces.map((t) => t.name)).toEqual(['ask', 'ask', 'invoke_agent triage']);
    expect(detail.body.traces[0].start).toBeLessThanOrEqual(detail.body.traces[1].start);
    // Two calls × (1M in, 100k out) on gpt-4o-mini at 0.15 / 0.60 per million.
    expect(detail.body.usage).toMatchObject({ input: 2_000_000, output: 200_000 });
    expect(detail.body.usage.cost).toBeCloseTo(2 * (0.15 + 0.06), 10);
    expect(detail.body.byModel).toEqual([expect.objectContaining({ model: 'gpt-4o-mini', input: 2_000_000 })]);
    expect(detail.body.byAgent).toEqual([expect.objectContaining({ agent: 'support-bot', output: 200_000 })]);
  });

  it('[V5] the traces list carries each trace’s usage and cost', async () => {
    const r = await getJson<{ traces: { trace_id: string; usage: { input: number; output: number; cost: number | null } }[] }>('/api/traces?agent=support-bot');
    expect(r.status).toBe(200);
    expect(r.body.traces).toHaveLength(3);
    for (const t of r.body.traces) {
      expect(t.usage).toMatchObject({ input: 1_000_000, output: 100_000 });
      expect(t.usage.cost).toBeCloseTo(0.21, 10);
    }
  });

  it('[V5] the agent inspector reports the agent’s usage and cost over its recent traces', async () => {
    const r = await getJson<{ usage: { input: number; output: number; cost: number; traces: number } }>('/api/agents/support-bot');
    expect(r.status).toBe(200);
    expect(r.body.usage).toMatchObject({ input: 3_000_000, output: 300_000, traces: 3 });
    expect(r.body.usage.cost).toBeCloseTo(3 * 0.21, 10);
  });

  it('[G6] refuses a malformed session id with a code, and answers 404 for an unknown one', async () => {
    const bad = await getJson<{ error: { code: string } }>(`/api/sessions/${encodeURIComponent('bad\u0001id')}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_message');
    const malformed = await getJson<{ error: { code: string } }>('/api/sessions/%E0%A4%A');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('bad_url');
    const proto = await getJson<{ error: { code: string } }>('/api/sessions/__proto__');
    expect(proto.status).toBe(404);
    const badCall = await postJson(`${relay.url}/v1/call`, { to: 'support-bot', method: 'ask', payload: 'x', session: 'x'.repeat(300) });
    expect(badCall.status).toBe(400);
    const badQuery = await getJson<{ error: { code: string } }>('/api/sessions?limit=0');
    expect(badQuery.status).toBe(400);
  });
});
