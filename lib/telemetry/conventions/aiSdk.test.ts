import { describe, expect, it } from 'vitest';
import type { Attributes } from '../../protocol/events';
import { spanFacts, type SpanFacts } from './index';

type Case = [what: string, attributes: Attributes, expected: Partial<Omit<SpanFacts, 'usage'>> & { usage?: Partial<SpanFacts['usage']> }];

const CASES: Case[] = [
  ['a top-level call with a functionId is that agent’s run', { 'ai.operationId': 'ai.generateText', 'ai.telemetry.functionId': 'planner', 'ai.prompt': JSON.stringify({ system: 'Plan.', prompt: 'Trip to Rome' }) }, { operation: 'invoke_agent', agentName: 'planner', isAgentSpan: true, input: 'system: Plan.\nuser: Trip to Rome' }],
  ['without a functionId it is no agent', { 'ai.operationId': 'ai.streamText' }, { operation: 'invoke_agent', isAgentSpan: false, agentName: null }],
  [
    'doGenerate: model, provider, messages, response text, usage',
    { 'ai.operationId': 'ai.generateText.doGenerate', 'ai.telemetry.functionId': 'writer', 'ai.model.id': 'mock-model', 'ai.model.provider': 'mock', 'ai.prompt.messages': JSON.stringify([{ role: 'user', content: [{ type: 'text', text: 'Draft it' }] }]), 'ai.response.text': 'Draft.', 'ai.usage.inputTokens': 11, 'ai.usage.outputTokens': 3 },
    { operation: 'chat', agentName: 'writer', isAgentSpan: false, model: 'mock-model', provider: 'mock', input: 'user: Draft it', output: 'Draft.', usage: { input: 11, output: 3 } },
  ],
  ['v4 usage names', { 'ai.usage.promptTokens': 5, 'ai.usage.completionTokens': 2 }, { usage: { input: 5, output: 2 } }],
  ['cache and reasoning details', { 'ai.usage.inputTokenDetails.cacheReadTokens': 8, 'ai.usage.inputTokenDetails.cacheWriteTokens': 2, 'ai.usage.outputTokenDetails.reasoningTokens': 6 }, { usage: { cacheRead: 8, cacheWrite: 2, reasoning: 6 } }],
  ['older cachedInputTokens / reasoningTokens', { 'ai.usage.cachedInputTokens': 4, 'ai.usage.reasoningTokens': 1 }, { usage: { cacheRead: 4, reasoning: 1 } }],
  ['tool call: name, id, args, result', { 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 'askWriter', 'ai.toolCall.id': 't1', 'ai.toolCall.args': '{"topic":"x"}', 'ai.toolCall.result': '"done"' }, { operation: 'execute_tool', toolName: 'askWriter', toolCallId: 't1', toolArguments: '{"topic":"x"}', toolResult: '"done"' }],
  ['streaming: time to first chunk', { 'ai.operationId': 'ai.streamText.doStream', 'ai.response.msToFirstChunk': 42.5 }, { operation: 'chat', timeToFirstTokenMs: 42.5 }],
  ['embeddings', { 'ai.operationId': 'ai.embedMany' }, { operation: 'embeddings' }],
  ['session and user from telemetry metadata', { 'ai.telemetry.metadata.sessionId': 'chat-7', 'ai.telemetry.metadata.userId': 'ana' }, { sessionId: 'chat-7', userId: 'ana' }],
  ['GenAI attributes on the same span win over ai.* ones', { 'ai.model.id': 'a', 'gen_ai.response.model': 'b' }, { model: 'b' }],
  ['our relay/SDK `session` field', { session: 's-42' }, { sessionId: 's-42' }],
];

describe('Vercel AI SDK conventions', () => {
  it.each(CASES)('[V2] %s', (_what, attributes, expected) => {
    const f = spanFacts(attributes);
    const { usage, ...rest } = expected;
    expect(f).toMatchObject(rest);
    if (usage) expect(f.usage).toMatchObject(usage);
  });
});
