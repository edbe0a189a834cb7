/**
 * Fixture spans per convention posted as OTLP/JSON to /v1/traces, read back from
 * /api/traces/:id. Children are exported BEFORE their parents (separate batches, as a batch
 * processor does when the parent span outlives its children): attribution still follows the
 * nearest ancestor's agent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceNode, TraceTree } from '../../lib/trace/buildTrace';
import { postJson, startTestApi, startTestRelay } from '../testing/harness';

let relay: Awaited<ReturnType<typeof startTestRelay>>;
let api: Awaited<ReturnType<typeof startTestApi>>;
beforeAll(async () => {
  relay = await startTestRelay();
  api = await startTestApi(relay);
});
afterAll(async () => {
  await api?.close();
  await relay?.close();
});

type Attr = string | number;
const value = (v: Attr) => (typeof v === 'number' ? (Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v }) : { stringValue: v });
const attrs = (o: Record<string, Attr>) => Object.entries(o).map(([key, v]) => ({ key, value: value(v) }));
const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
const NS = 1_763_000_000_000n * 1_000_000n;

interface FixtureSpan {
  id: number;
  parent?: number;
  name: string;
  attributes?: Record<string, Attr>;
  events?: { name: string; attributes: Record<string, Attr> }[];
}

async function exportBatch(trace: number, service: string, spans: FixtureSpan[]): Promise<void> {
  const body = {
    resourceSpans: [
      {
        resource: { attributes: attrs({ 'service.name': service }) },
        scopeSpans: [
          {
            scope: { name: 'fixture' },
            spans: spans.map((s) => ({
              traceId: hex(trace, 32),
              spanId: hex(s.id, 16),
              parentSpanId: s.parent ? hex(s.parent, 16) : '',
              name: s.name,
              kind: 1,
              startTimeUnixNano: String(NS + BigInt(s.id) * 1_000_000n),
              endTimeUnixNano: String(NS + BigInt(s.id + 10) * 1_000_000n),
              attributes: attrs(s.attributes ?? {}),
              events: (s.events ?? []).map((e) => ({ name: e.name, timeUnixNano: String(NS), attributes: attrs(e.attributes) })),
              status: { code: 1 },
            })),
          },
        ],
      },
    ],
  };
  const res = await postJson(`${relay.url}/v1/traces`, body);
  expect(res.status).toBe(200);
}

async function traceOf(trace: number): Promise<TraceTree> {
  const res = await fetch(`${api.url}/api/traces/${hex(trace, 32)}`);
  expect(res.status).toBe(200);
  return (await res.json()) as TraceTree;
}
const node = (t: TraceTree, id: number): TraceNode => t.nodes[hex(id, 16)];

describe('[V3] convention fixtures over OTLP/JSON, children exported before parents', () => {
  it('OpenTelemetry GenAI: invoke_agent → chat (content in the operation-details event) → execute_tool; a nested invoke_agent is another agent', async () => {
    const T = 0xa1;
    const messages = (role: string, text: string) => JSON.stringify([{ role, parts: [{ type: 'text', content: text }] }]);
    // Batch 1: the children, naming no agent (only the service).
    await exportBatch(T, 'crew-svc', [
      {
        id: 2,
        parent: 1,
        name: 'chat gpt-4o-mini',
        attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 100, 'gen_ai.usage.cache_read.input_tokens': 400, 'gen_ai.usage.reasoning.output_tokens': 30 },
        events: [{ name: 'gen_ai.client.inference.operation.details', attributes: { 'gen_ai.input.messages': messages('user', 'Find flights to Lisbon'), 'gen_ai.output.messages': messages('assistant', 'Calling search.'), 'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'You book travel.' }]) } }],
      },
      { id: 3, parent: 1, name: 'execute_tool search_flights', attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search_flights', 'gen_ai.tool.call.id': 'tc-1', 'gen_ai.tool.call.arguments': '{"to":"LIS"}', 'gen_ai.tool.call.result': '[{"flight":"TP123"}]' } },
      { id: 5, parent: 4, name: 'chat', attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'claude-3-5-haiku-latest', 'gen_ai.usage.input_tokens': 50, 'gen_ai.usage.output_tokens': 5 } },
      { id: 4, parent: 3, name: 'invoke_agent booker', attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'booker', 'gen_ai.conversation.id': 'conv-lisbon' } },
    ]);
    // Batch 2: the parent lands later.
    await exportBatch(T, 'crew-svc', [{ id: 1, name: 'invoke_agent travel_agent', attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'travel_agent', 'gen_ai.agent.id': 'ag-1', 'gen_ai.conversation.id': 'conv-lisbon' } }]);
    const t = await traceOf(T);
    expect(node(t, 1)).toMatchObject({ agent: 'travel_agent', operation: 'invoke_agent', sessionId: 'conv-lisbon' });
    expect(node(t, 2)).toMatchObject({
      agent: 'travel_agent',
      agentInherited: true,
      operation: 'chat',
      model: 'gpt-4o-mini',
      provider: 'openai',
      request: 'user: Find flights to Lisbon',
      response: 'assistant: Calling search.',
      systemInstructions: 'You book travel.',
      usage: { input: 1000, output: 100, cacheRead: 400, reasoning: 30 },
    });
    expect(node(t, 2).cost).toBeCloseTo((600 * 0.15 + 400 * 0.075 + 100 * 0.6) / 1e6, 12);
    expect(node(t, 3)).toMatchObject({ agent: 'travel_agent', operation: 'execute_tool', tool: { name: 'search_flights', callId: 'tc-1', arguments: '{"to":"LIS"}', result: '[{"flight":"TP123"}]' } });
    expect(node(t, 4)).toMatchObject({ agent: 'booker', agentInherited: false });
    expect(node(t, 5)).toMatchObject({ agent: 'booker', agentInherited: true, model: 'claude-3-5-haiku-latest' });
    expect(t.agents).toEqual(['booker', 'travel_agent']);
    expect(t.sessions).toEqual(['conv-lisbon']);
    expect(t.byModel.map((m) => m.model).sort()).toEqual(['claude-3-5-haiku-latest', 'gpt-4o-mini']);
    expect(t.usage).toMatchObject({ input: 1050, output: 105 });
  });

  it('OpenInference: an AGENT span names the agent for its LLM and TOOL children; session.id groups', async () => {
    const T = 0xb2;
    await exportBatch(T, 'phoenix-app', [
      { id: 2, parent: 1, name: 'ChatOpenAI', attributes: { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o', 'llm.input_messages.0.message.role': 'user', 'llm.input_messages.0.message.content': 'Summarize the memo', 'llm.output_messages.0.message.role': 'assistant', 'llm.output_messages.0.message.content': 'The memo says…', 'llm.token_count.prompt': 300, 'llm.token_count.completion': 40 } },
      { id: 3, parent: 1, name: 'retrieve', attributes: { 'openinference.span.kind': 'TOOL', 'tool.name': 'fetch_memo', 'input.value': '{"id":7}', 'output.value': 'memo text' } },
    ]);
    await exportBatch(T, 'phoenix-app', [{ id: 1, name: 'summarizer', attributes: { 'openinference.span.kind': 'AGENT', 'input.value': 'memo 7', 'output.value': 'done', 'session.id': 'sess-memo', 'user.id': 'ana' } }]);
    const t = await traceOf(T);
    expect(node(t, 1)).toMatchObject({ agent: 'summarizer', operation: 'invoke_agent', request: 'memo 7', response: 'done', sessionId: 'sess-memo' });
    expect(node(t, 2)).toMatchObject({ agent: 'summarizer', agentInherited: true, operation: 'chat', model: 'gpt-4o', request: 'user: Summarize the memo', response: 'assistant: The memo says…', usage: { input: 300, output: 40 } });
    expect(node(t, 3)).toMatchObject({ agent: 'summarizer', operation: 'execute_tool', tool: { name: 'fetch_memo', arguments: '{"id":7}', result: 'memo text' } });
    expect(t.sessions).toEqual(['sess-memo']);
    expect(t.agents).toEqual(['summarizer']);
  });

  it('a span with no agent anywhere above it keeps the service name', async () => {
    const T = 0xc3;
    await exportBatch(T, 'lonely-svc', [{ id: 1, name: 'work', attributes: { 'input.value': 'x' } }]);
    const t = await traceOf(T);
    expect(node(t, 1)).toMatchObject({ agent: 'lonely-svc', agentInherited: false });
  });
});
