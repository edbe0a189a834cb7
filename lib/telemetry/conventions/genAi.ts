/**
 * OpenTelemetry GenAI semantic conventions (development, latest): spans named by
 * `gen_ai.operation.name`, agents by `gen_ai.agent.*`, content in `gen_ai.input.messages` /
 * `gen_ai.output.messages` / `gen_ai.system_instructions` (JSON), tools by `gen_ai.tool.*`.
 * The same content may arrive on a `gen_ai.client.inference.operation.details` span event;
 * ingest folds that event's attributes into the span's, so this reader sees both.
 */
import type { ConventionReader } from './facts';
import { messagesText, num, str } from './facts';

const AGENT_OPERATIONS = new Set(['invoke_agent', 'create_agent']);

export const readGenAi: ConventionReader = (a) => {
  const operation = str(a['gen_ai.operation.name']);
  const toolName = str(a['gen_ai.tool.name']);
  return {
    operation: operation ?? (toolName ? 'execute_tool' : null),
    agentName: str(a['gen_ai.agent.name']),
    agentId: str(a['gen_ai.agent.id']),
    agentDescription: str(a['gen_ai.agent.description']),
    isAgentSpan: operation !== null && AGENT_OPERATIONS.has(operation),
    // gen_ai.system is the older name of gen_ai.provider.name.
    provider: str(a['gen_ai.provider.name']) ?? str(a['gen_ai.system']),
    // The model that answered is the one that counts; the requested one otherwise.
    model: str(a['gen_ai.response.model']) ?? str(a['gen_ai.request.model']),
    input: messagesText(a['gen_ai.input.messages']) ?? messagesText(a['gen_ai.prompt']),
    output: messagesText(a['gen_ai.output.messages']) ?? messagesText(a['gen_ai.completion']),
    systemInstructions: messagesText(a['gen_ai.system_instructions']),
    toolName,
    toolCallId: str(a['gen_ai.tool.call.id']),
    toolArguments: str(a['gen_ai.tool.call.arguments']),
    toolResult: str(a['gen_ai.tool.call.result']),
    usage: {
      input: num(a['gen_ai.usage.input_tokens']) ?? num(a['gen_ai.usage.prompt_tokens']),
      output: num(a['gen_ai.usage.output_tokens']) ?? num(a['gen_ai.usage.completion_tokens']),
      cacheRead: num(a['gen_ai.usage.cache_read.input_tokens']) ?? num(a['gen_ai.usage.cache_read_input_tokens']),
      cacheWrite: num(a['gen_ai.usage.cache_creation.input_tokens']) ?? num(a['gen_ai.usage.cache_creation_input_tokens']),
      reasoning: num(a['gen_ai.usage.reasoning.output_tokens']) ?? num(a['gen_ai.usage.reasoning_tokens']),
    },
    sessionId: str(a['gen_ai.conversation.id']),
  };
};
