/**
 * A real Vercel AI SDK app (ai@6, MockLanguageModelV3 standing in for the provider) with
 * `experimental_telemetry` on, exported by the official OpenTelemetry SDK to our /v1/traces:
 * a planner agent whose tool calls a writer agent. The spans must come back out of
 * /api/traces/:id attributed to the agent they ran inside, with operation, model, input and
 * output text, tool calls, usage, cost and time to first token.
 */
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { generateText, simulateReadableStream, stepCountIs, streamText, tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeKey } from '../../lib/model/swarmModel';
import { z } from 'zod';
import type { TraceNode, TraceTree } from '../../lib/trace/buildTrace';
import { startTestApi, startTestRelay } from '../testing/harness';

let relay: Awaited<ReturnType<typeof startTestRelay>>;
let api: Awaited<ReturnType<typeof startTestApi>>;
let tree: TraceTree;

const usage = (input: number, output: number, cacheRead = 0) => ({
  inputTokens: { total: input, noCache: input - cacheRead, cacheRead, cacheWrite: undefined },
  outputTokens: { total: output, text: output, reasoning: undefined },
});

async function runPlannerAndWriter(url: string): Promise<string> {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  // Batched, as a production app exports: children and parents may land in different batches.
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'travel-app' }),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }), maxExportBatchSize: 3, scheduledDelayMillis: 10 })],
  });
  const tracer = provider.getTracer('ai');
  const telemetry = (functionId: string) => ({ isEnabled: true, functionId, tracer, metadata: { sessionId: 'trip-chat-1' } });

  const writerModel = new MockLanguageModelV3({
    modelId: 'gpt-4o-mini',
    doStream: async () => ({
      stream: simulateReadableStream({
        initialDelayInMs: 5,
        chunkDelayInMs: 1,
        chunks: [
          { type: 'stream-start', warnings: [] },
          { type: 'text-start', id: 't1' },
          { type: 'text-delta', id: 't1', delta: 'Otters hold hands ' },
          { type: 'text-delta', id: 't1', delta: 'while they sleep.' },
          { type: 'text-end', id: 't1' },
          { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage: usage(30, 8) },
        ],
      }),
    }),
  });
  const plannerModel = new MockLanguageModelV3({
    modelId: 'gpt-4o',
    doGenerate: [
      {
        content: [{ type: 'tool-call', toolCallId: 'call-1', toolName: 'askWriter', input: JSON.stringify({ topic: 'otters' }) }],
        finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
        usage: usage(200, 20, 100),
        warnings: [],
      },
      {
        content: [{ type: 'text', text: 'Plan: read the otter fact aloud.' }],
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: usage(260, 12),
        warnings: [],
      },
    ],
  });

  let traceId = '';
  await tracer.startActiveSpan('travel request', async (root) => {
    traceId = root.spanContext().traceId;
    await generateText({
      model: plannerModel,
      system: 'You plan trips.',
      prompt: 'Plan an otter-watching afternoon.',
      stopWhen: stepCountIs(3),
      tools: {
        askWriter: tool({
          description: 'Ask the writer agent for a paragraph',
          inputSchema: z.object({ topic: z.string() }),
          execute: async ({ topic }) => {
            // The app's own span, naming no agent: it belongs to the planner whose tool runs it.
            await tracer.startActiveSpan('load style guide', async (span) => {
              await new Promise((r) => setTimeout(r, 2));
              span.end();
            });
            const r = streamText({ model: writerModel, prompt: `Write one line about ${topic}`, experimental_telemetry: telemetry('writer') });
            return await r.text;
          },
        }),
      },
      experimental_telemetry: telemetry('planner'),
    });
    root.end();
  });
  await provider.forceFlush();
  await provider.shutdown();
  contextManager.disable();
  context.disable();
  return traceId;
}

beforeAll(async () => {
  relay = await startTestRelay();
  api = await startTestApi(relay);
  const traceId = await runPlannerAndWriter(`${relay.url}/v1/traces`);
  const res = await fetch(`${api.url}/api/traces/${traceId}`);
  expect(res.status).toBe(200);
  tree = (await res.json()) as TraceTree;
});
afterAll(async () => {
  await api?.close();
  await relay?.close();
});

const nodes = () => Object.values(tree.nodes);
const byOp = (id: string) => nodes().filter((n) => n.attributes['ai.operationId'] === id);
const only = (list: TraceNode[]) => {
  expect(list).toHaveLength(1);
  return list[0];
};

describe('[V3] a Vercel AI SDK planner → writer app over OTLP', () => {
  it('attributes every span to the agent it ran inside; the service name only where no agent is known', () => {
    const plannerRun = only(byOp('ai.generateText'));
    expect(plannerRun).toMatchObject({ agent: 'planner', operation: 'invoke_agent' });
    const writerRun = only(byOp('ai.streamText'));
    expect(writerRun).toMatchObject({ agent: 'writer', operation: 'invoke_agent' });
    for (const n of byOp('ai.generateText.doGenerate')) expect(n.agent).toBe('planner');
    expect(only(byOp('ai.streamText.doStream')).agent).toBe('writer');
    const toolSpan = only(byOp('ai.toolCall'));
    expect(toolSpan).toMatchObject({ agent: 'planner', agentInherited: false });
    // The app's own span names no agent: it inherits the planner, its nearest ancestor's.
    const own = only(nodes().filter((n) => n.name === 'load style guide'));
    expect(own).toMatchObject({ agent: 'planner', agentInherited: true, parentId: toolSpan.id });
    // The writer's run sits under the planner's tool call: a call from one agent to another.
    expect(writerRun.parentId).toBe(toolSpan.id);
    const root = nodes().find((n) => n.name === 'travel request')!;
    expect(root.agent).toBe('travel-app');
    expect(tree.agents).toEqual(expect.arrayContaining(['planner', 'writer']));
  });

  it('maps operation, model, input and output text, tool call and time to first token', () => {
    const [first, second] = byOp('ai.generateText.doGenerate').sort((a, b) => a.start - b.start);
    expect(first).toMatchObject({ operation: 'chat', model: 'gpt-4o', provider: 'mock-provider' });
    expect(first.request).toContain('system: You plan trips.');
    expect(first.request).toContain('user: Plan an otter-watching afternoon.');
    expect(second.response).toBe('Plan: read the otter fact aloud.');
    const toolSpan = only(byOp('ai.toolCall'));
    expect(toolSpan.operation).toBe('execute_tool');
    expect(toolSpan.tool).toMatchObject({ name: 'askWriter', callId: 'call-1', arguments: JSON.stringify({ topic: 'otters' }) });
    expect(toolSpan.tool!.result).toContain('Otters hold hands while they sleep.');
    const stream = only(byOp('ai.streamText.doStream'));
    expect(stream).toMatchObject({ model: 'gpt-4o-mini', response: 'Otters hold hands while they sleep.' });
    expect(stream.request).toContain('Write one line about otters');
    expect(stream.timeToFirstTokenMs).toBeGreaterThan(0);
  });

  it('counts each model call once in usage and prices it from the default table', () => {
    const [first] = byOp('ai.generateText.doGenerate').sort((a, b) => a.start - b.start);
    expect(first.usage).toMatchObject({ input: 200, output: 20, cacheRead: 100 });
    // gpt-4o: 100k plain input × 2.5 + 100 cached × 1.25 + 20 out × 10, per million.
    expect(first.cost).toBeCloseTo((100 * 2.5 + 100 * 1.25 + 20 * 10) / 1e6, 12);
    // Planner: 200+260 in, 20+12 out; writer: 30 in, 8 out. The outer runs repeat these and are not added again.
    expect(tree.usage).toMatchObject({ input: 490, output: 40, cacheRead: 100 });
    expect(tree.byAgent.find((a) => a.agent === 'planner')).toMatchObject({ input: 460, output: 32 });
    expect(tree.byAgent.find((a) => a.agent === 'writer')).toMatchObject({ input: 30, output: 8 });
    expect(tree.byModel.map((m) => m.model).sort()).toEqual(['gpt-4o', 'gpt-4o-mini']);
    expect(tree.usage.cost).toBeGreaterThan(0);
  });

  it('draws the planner → writer call in the live graph (an OTLP-only swarm)', () => {
    expect(api.model.edges.get(edgeKey('call', 'planner', 'writer'))).toMatchObject({ kind: 'call', calls: 1 });
    expect(api.model.agents.has('planner')).toBe(true);
    expect(api.model.agents.has('writer')).toBe(true);
  });

  it('groups the trace under its session (telemetry metadata sessionId)', () => {
    expect(tree.sessions).toEqual(['trip-chat-1']);
  });
});
