/**
 * OTLP/HTTP ingest tested with the official OpenTelemetry JS SDK and its exporters as the
 * client, in both encodings; the spans must come back out of /api/traces/:id with the GenAI
 * attributes mapped onto the trace nodes.
 */
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { SpanStatusCode, context, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TraceTree } from '../../lib/trace/buildTrace';
import { startTestApi, startTestRelay } from '../testing/harness';

type Relay = Awaited<ReturnType<typeof startTestRelay>>;
let relay: Relay;
let api: Awaited<ReturnType<typeof startTestApi>>;

beforeEach(async () => {
  relay = await startTestRelay();
  api = await startTestApi(relay);
});
afterEach(async () => {
  await api.close();
  await relay.close();
});

async function exportAgentRun(exporter: JsonExporter | ProtoExporter): Promise<string> {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'research-crew' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('genai-test');
  const root = tracer.startSpan('invoke_agent planner', {
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner', 'gen_ai.agent.id': 'agent-7', 'gen_ai.conversation.id': 'conv-42' },
  });
  const ctx = trace.setSpan(context.active(), root);
  const chat = tracer.startSpan('chat gpt-4o', {
    attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.agent.name': 'planner', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 812, 'gen_ai.usage.output_tokens': 96 },
  }, ctx);
  chat.end();
  const tool = tracer.startSpan('execute_tool web_search', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.agent.name': 'searcher', 'gen_ai.tool.name': 'web_search' } }, ctx);
  tool.recordException(new Error('search backend returned 503'));
  tool.setStatus({ code: SpanStatusCode.ERROR, message: 'search backend returned 503' });
  tool.end();
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
  return root.spanContext().traceId;
}

describe.each([
  ['JSON', (url: string) => new JsonExporter({ url })],
  ['protobuf', (url: string) => new ProtoExporter({ url })],
])('OTLP/HTTP %s from the OpenTelemetry JS SDK', (_name, makeExporter) => {
  it('appears in /api/traces/:id with the GenAI attributes mapped', async () => {
    const traceId = await exportAgentRun(makeExporter(`${relay.url}/v1/traces`));
    const res = await fetch(`${api.url}/api/traces/${traceId}`);
    expect(res.status).toBe(200);
    const tree = (await res.json()) as TraceTree;
    expect(tree.order).toHaveLength(3);
    const root = tree.nodes[tree.roots[0]];
    expect(root).toMatchObject({ kind: 'span', name: 'invoke_agent planner', agent: 'planner', operation: 'invoke_agent', status: 'ok' });
    expect(root.attributes).toMatchObject({ 'gen_ai.agent.id': 'agent-7', 'gen_ai.conversation.id': 'conv-42', 'service.name': 'research-crew' });
    const [chat, tool] = root.children.map((id) => tree.nodes[id]);
    expect(chat).toMatchObject({ name: 'chat gpt-4o', model: 'gpt-4o', operation: 'chat', usage: { input: 812, output: 96 }, depth: 1 });
    expect(tool).toMatchObject({ agent: 'searcher', operation: 'execute_tool', status: 'error', error: 'search backend returned 503', onFailurePath: true });
    expect(tree.status).toBe('error');
    expect(tree.failures).toEqual([{ nodeId: tool.id, path: [root.id, tool.id], rootCause: true }]);
    expect(chat.end! - chat.start).toBeGreaterThanOrEqual(0);

    const list = await (await fetch(`${api.url}/api/traces?agent=searcher&status=error`)).json();
    expect(list.traces.map((t: { trace_id: string }) => t.trace_id)).toEqual([traceId]);
  });
});

describe('OTLP edge', () => {
  it('stores a re-export of the same spans once', async () => {
    const traceId = await exportAgentRun(new JsonExporter({ url: `${relay.url}/v1/traces` }));
    const before = (await relay.log.read({ traceId })).length;
    const events = (await relay.log.read({ traceId }));
    // Replay the same spans as an exporter retry would, through the JSON encoding.
    const spans = events.filter((e) => e.kind === 'span.start').map((e) => ({
      traceId,
      spanId: e.span_id,
      parentSpanId: e.parent_span_id ?? '',
      name: (e.data as { name: string }).name,
      startTimeUnixNano: '1700000000000000000',
      endTimeUnixNano: '1700000000100000000',
    }));
    // A retry carries the same resource: the service is the exporter's idempotency scope (G3).
    const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'research-crew' } }] };
    const res = await fetch(`${relay.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ resourceSpans: [{ resource, scopeSpans: [{ spans }] }] }) });
    expect(res.status).toBe(200);
    expect(await relay.log.read({ traceId })).toHaveLength(before);
  });

  it('refuses malformed protobuf, bad JSON ids and unknown content types with coded errors, storing nothing', async () => {
    const head = (await relay.log.head());
    const post = (body: BodyInit, type: string) => fetch(`${relay.url}/v1/traces`, { method: 'POST', headers: { 'content-type': type }, body });
    const proto = await post(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), 'application/x-protobuf');
    expect(proto.status).toBe(400);
    expect((await proto.json()).error.code).toBe('invalid_message');
    const json = await post(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'xyz', spanId: '1', name: 'n', startTimeUnixNano: '1', endTimeUnixNano: '2' }] }] }] }), 'application/json');
    expect(json.status).toBe(400);
    expect((await json.json()).error.code).toBe('invalid_message');
    const type = await post('x', 'text/plain');
    expect(type.status).toBe(415);
    expect(await relay.log.head()).toBe(head);
  });
});
