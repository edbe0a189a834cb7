import { describe, expect, it } from 'vitest';
import type { Attributes } from '../../protocol/events';
import { spanFacts, type SpanFacts } from './index';

type Case = [what: string, attributes: Attributes, expected: Partial<Omit<SpanFacts, 'usage'>> & { usage?: Partial<SpanFacts['usage']> }];

const messages = (role: string, text: string) => JSON.stringify([{ role, parts: [{ type: 'text', content: text }] }]);

const CASES: Case[] = [
  ['invoke_agent names its agent', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner', 'gen_ai.agent.id': 'agt_1', 'gen_ai.agent.description': 'plans' }, { operation: 'invoke_agent', agentName: 'planner', agentId: 'agt_1', agentDescription: 'plans', isAgentSpan: true }],
  ['create_agent is an agent span', { 'gen_ai.operation.name': 'create_agent', 'gen_ai.agent.name': 'w' }, { operation: 'create_agent', isAgentSpan: true }],
  ['chat: provider, response model over request model', { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.response.model': 'gpt-4o-2024-08-06' }, { operation: 'chat', provider: 'openai', model: 'gpt-4o-2024-08-06', isAgentSpan: false }],
  ['the older gen_ai.system still names the provider', { 'gen_ai.system': 'anthropic', 'gen_ai.request.model': 'claude' }, { provider: 'anthropic', model: 'claude' }],
  [
    'usage with cache read/write and reasoning',
    { 'gen_ai.usage.input_tokens': 120, 'gen_ai.usage.output_tokens': 40, 'gen_ai.usage.cache_read.input_tokens': 100, 'gen_ai.usage.cache_creation.input_tokens': 20, 'gen_ai.usage.reasoning.output_tokens': 12 },
    { usage: { input: 120, output: 40, cacheRead: 100, cacheWrite: 20, reasoning: 12 } },
  ],
  ['input/output messages and system instructions render as role: text', { 'gen_ai.input.messages': messages('user', 'Write a haiku'), 'gen_ai.output.messages': messages('assistant', 'Autumn moon'), 'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'Be brief.' }]) }, { input: 'user: Write a haiku', output: 'assistant: Autumn moon', systemInstructions: 'Be brief.' }],
  ['tool calls', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search', 'gen_ai.tool.call.id': 'c1', 'gen_ai.tool.call.arguments': '{"q":"x"}', 'gen_ai.tool.call.result': '["r"]' }, { operation: 'execute_tool', toolName: 'search', toolCallId: 'c1', toolArguments: '{"q":"x"}', toolResult: '["r"]' }],
  ['a tool name alone implies execute_tool', { 'gen_ai.tool.name': 'search' }, { operation: 'execute_tool' }],
  ['conversation id is the session', { 'gen_ai.conversation.id': 'conv-9' }, { sessionId: 'conv-9' }],
  ['numbers given as strings are read', { 'gen_ai.usage.input_tokens': '7' }, { usage: { input: 7 } }],
  ['[G6] malformed JSON messages stay as their text, never throw', { 'gen_ai.input.messages': '[{"role":' }, { input: '[{"role":' }],
];

describe('OpenTelemetry GenAI conventions', () => {
  it.each(CASES)('[V2] %s', (_what, attributes, expected) => {
    const f = spanFacts(attributes);
    const { usage, ...rest } = expected;
    expect(f).toMatchObject(rest);
    if (usage) expect(f.usage).toMatchObject(usage);
  });
});
