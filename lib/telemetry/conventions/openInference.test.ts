import { describe, expect, it } from 'vitest';
import type { Attributes } from '../../protocol/events';
import { spanFacts, type SpanFacts } from './index';

type Case = [what: string, name: string, attributes: Attributes, expected: Partial<Omit<SpanFacts, 'usage'>> & { usage?: Partial<SpanFacts['usage']> }];

const CASES: Case[] = [
  ['an AGENT span is its agent (named by agent.name)', 'run', { 'openinference.span.kind': 'AGENT', 'agent.name': 'researcher' }, { operation: 'invoke_agent', agentName: 'researcher', isAgentSpan: true }],
  ['an AGENT span without agent.name is named by the span', 'summarizer', { 'openinference.span.kind': 'AGENT' }, { agentName: 'summarizer', isAgentSpan: true }],
  ['LLM: model, provider, input/output values', 'ChatOpenAI', { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o-mini', 'llm.provider': 'openai', 'input.value': 'hi', 'output.value': 'hello' }, { operation: 'chat', model: 'gpt-4o-mini', provider: 'openai', input: 'hi', output: 'hello', isAgentSpan: false, agentName: null }],
  [
    'flattened messages win over input.value, in index order',
    'llm',
    { 'openinference.span.kind': 'LLM', 'input.value': '{"raw":1}', 'llm.input_messages.1.message.role': 'user', 'llm.input_messages.1.message.content': 'Q', 'llm.input_messages.0.message.role': 'system', 'llm.input_messages.0.message.content': 'S', 'llm.output_messages.0.message.role': 'assistant', 'llm.output_messages.0.message.content': 'A' },
    { input: 'system: S\nuser: Q', output: 'assistant: A' },
  ],
  [
    'token counts with cache and reasoning details',
    'llm',
    { 'llm.token_count.prompt': 50, 'llm.token_count.completion': 10, 'llm.token_count.prompt_details.cache_read': 30, 'llm.token_count.prompt_details.cache_write': 5, 'llm.token_count.completion_details.reasoning': 4 },
    { usage: { input: 50, output: 10, cacheRead: 30, cacheWrite: 5, reasoning: 4 } },
  ],
  ['TOOL: name, arguments from input.value, result from output.value', 'search', { 'openinference.span.kind': 'TOOL', 'tool.name': 'web_search', 'input.value': '{"q":"otel"}', 'output.value': '3 hits' }, { operation: 'execute_tool', toolName: 'web_search', toolArguments: '{"q":"otel"}', toolResult: '3 hits' }],
  ['CHAIN and RETRIEVER kinds', 'x', { 'openinference.span.kind': 'RETRIEVER' }, { operation: 'retrieval' }],
  ['lower-case kinds are accepted', 'x', { 'openinference.span.kind': 'chain' }, { operation: 'chain' }],
  ['session.id and user.id', 'x', { 'session.id': 's-1', 'user.id': 'u-1' }, { sessionId: 's-1', userId: 'u-1' }],
];

describe('OpenInference conventions', () => {
  it.each(CASES)('[V2] %s', (_what, name, attributes, expected) => {
    const f = spanFacts(attributes, name);
    const { usage, ...rest } = expected;
    expect(f).toMatchObject(rest);
    if (usage) expect(f.usage).toMatchObject(usage);
  });
});
