/**
 * OpenInference (Arize Phoenix): `openinference.span.kind` AGENT / LLM / TOOL / CHAIN /
 * RETRIEVER / EMBEDDING…, content in `input.value` / `output.value`, flattened message lists
 * `llm.input_messages.<i>.message.role|content`, counts in `llm.token_count.*`.
 */
import type { Attributes } from '../../protocol/events';
import type { ConventionReader } from './facts';
import { num, str } from './facts';

const OPERATION_OF_KIND = new Map<string, string>([
  ['AGENT', 'invoke_agent'],
  ['LLM', 'chat'],
  ['TOOL', 'execute_tool'],
  ['CHAIN', 'chain'],
  ['RETRIEVER', 'retrieval'],
  ['EMBEDDING', 'embeddings'],
  ['RERANKER', 'rerank'],
  ['GUARDRAIL', 'guardrail'],
  ['EVALUATOR', 'evaluate'],
]);

/** Reassembles `llm.<prefix>.<i>.message.role|content` into `role: content` lines, in index order. */
function flattenedMessages(a: Attributes, prefix: string): string | null {
  const rows = new Map<number, { role?: string; content?: string }>();
  const pattern = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(\\d+)\\.message\\.(role|content)$`);
  for (const [k, v] of Object.entries(a)) {
    const m = pattern.exec(k);
    if (!m || typeof v !== 'string') continue;
    const i = Number(m[1]);
    const row = rows.get(i) ?? {};
    row[m[2] as 'role' | 'content'] = v;
    rows.set(i, row);
  }
  if (!rows.size) return null;
  return [...rows.entries()]
    .sort((x, y) => x[0] - y[0])
    .map(([, r]) => (r.role ? `${r.role}: ${r.content ?? ''}` : (r.content ?? '')))
    .join('\n');
}

export const readOpenInference: ConventionReader = (a, name) => {
  const kind = str(a['openinference.span.kind'])?.toUpperCase() ?? null;
  const isTool = kind === 'TOOL';
  const isAgent = kind === 'AGENT';
  const input = flattenedMessages(a, 'llm.input_messages') ?? str(a['input.value']);
  const output = flattenedMessages(a, 'llm.output_messages') ?? str(a['output.value']);
  return {
    operation: kind ? (OPERATION_OF_KIND.get(kind) ?? kind.toLowerCase()) : null,
    // An AGENT span names its agent by `agent.name`, else by the span's own name.
    agentName: str(a['agent.name']) ?? (isAgent ? name || null : null),
    isAgentSpan: isAgent,
    provider: str(a['llm.provider']) ?? str(a['llm.system']),
    model: str(a['llm.model_name']) ?? str(a['embedding.model_name']),
    input,
    output,
    toolName: str(a['tool.name']) ?? str(a['tool_call.function.name']),
    toolCallId: str(a['tool_call.id']),
    // A TOOL span's input is the call's arguments and its output the tool's result.
    toolArguments: str(a['tool_call.function.arguments']) ?? (isTool ? str(a['input.value']) : null),
    toolResult: isTool ? str(a['output.value']) : null,
    usage: {
      input: num(a['llm.token_count.prompt']),
      output: num(a['llm.token_count.completion']),
      cacheRead: num(a['llm.token_count.prompt_details.cache_read']),
      cacheWrite: num(a['llm.token_count.prompt_details.cache_write']),
      reasoning: num(a['llm.token_count.completion_details.reasoning']),
    },
    sessionId: str(a['session.id']),
    userId: str(a['user.id']),
  };
};
