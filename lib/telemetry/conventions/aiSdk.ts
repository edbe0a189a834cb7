/**
 * The Vercel AI SDK (`experimental_telemetry`): spans named by `ai.operationId`
 * (`ai.generateText` → its `ai.generateText.doGenerate` model calls → `ai.toolCall`), the
 * caller's name for the run in `ai.telemetry.functionId`, content in `ai.prompt` /
 * `ai.prompt.messages` / `ai.response.text`, usage in `ai.usage.*` (v5+ names, v4 fallbacks).
 */
import type { ConventionReader } from './facts';
import { messagesText, num, parseJson, renderMessages, str } from './facts';

/** The top-level call a program makes; its functionId names the agent the run belongs to. */
const RUN_OPERATIONS = new Set(['ai.generateText', 'ai.streamText', 'ai.generateObject', 'ai.streamObject']);
const MODEL_CALLS = new Set(['ai.generateText.doGenerate', 'ai.streamText.doStream', 'ai.generateObject.doGenerate', 'ai.streamObject.doStream']);
const EMBEDDINGS = new Set(['ai.embed', 'ai.embedMany', 'ai.embed.doEmbed', 'ai.embedMany.doEmbed']);

function operationOf(id: string | null): string | null {
  if (!id) return null;
  if (RUN_OPERATIONS.has(id)) return 'invoke_agent';
  if (MODEL_CALLS.has(id)) return 'chat';
  if (id === 'ai.toolCall') return 'execute_tool';
  if (EMBEDDINGS.has(id)) return 'embeddings';
  return id.replace(/^ai\./, '');
}

/** `ai.prompt` is JSON `{system?, prompt?, messages?}`: the readable request. */
function promptText(v: unknown): string | null {
  const p = parseJson(v);
  if (p && typeof p === 'object' && !Array.isArray(p)) {
    const o = p as Record<string, unknown>;
    const parts = [
      typeof o.system === 'string' ? `system: ${o.system}` : '',
      typeof o.prompt === 'string' ? `user: ${o.prompt}` : Array.isArray(o.prompt) ? (renderMessages(o.prompt) ?? '') : '',
      Array.isArray(o.messages) ? (renderMessages(o.messages) ?? '') : '',
    ].filter(Boolean);
    return parts.length ? parts.join('\n') : null;
  }
  return str(v);
}

export const readAiSdk: ConventionReader = (a) => {
  const id = str(a['ai.operationId']);
  const functionId = str(a['ai.telemetry.functionId']);
  const operation = operationOf(id);
  const isTool = id === 'ai.toolCall';
  return {
    operation,
    agentName: functionId,
    isAgentSpan: Boolean(functionId) && id !== null && RUN_OPERATIONS.has(id),
    provider: str(a['ai.model.provider']),
    model: str(a['ai.response.model']) ?? str(a['ai.model.id']),
    input: messagesText(a['ai.prompt.messages']) ?? promptText(a['ai.prompt']),
    output: str(a['ai.response.text']) ?? str(a['ai.response.object']) ?? (a['ai.response.toolCalls'] !== undefined ? str(a['ai.response.toolCalls']) : null),
    toolName: str(a['ai.toolCall.name']),
    toolCallId: str(a['ai.toolCall.id']),
    toolArguments: isTool ? str(a['ai.toolCall.args']) ?? str(a['ai.toolCall.input']) : null,
    toolResult: isTool ? str(a['ai.toolCall.result']) ?? str(a['ai.toolCall.output']) : null,
    usage: {
      input: num(a['ai.usage.inputTokens']) ?? num(a['ai.usage.promptTokens']),
      output: num(a['ai.usage.outputTokens']) ?? num(a['ai.usage.completionTokens']),
      cacheRead: num(a['ai.usage.inputTokenDetails.cacheReadTokens']) ?? num(a['ai.usage.cachedInputTokens']),
      cacheWrite: num(a['ai.usage.inputTokenDetails.cacheWriteTokens']),
      reasoning: num(a['ai.usage.outputTokenDetails.reasoningTokens']) ?? num(a['ai.usage.reasoningTokens']),
    },
    timeToFirstTokenMs: num(a['ai.response.msToFirstChunk']) ?? num(a['ai.stream.msToFirstChunk']),
    // Metadata is free-form; sessionId is the key tracing backends agree on.
    sessionId: str(a['ai.telemetry.metadata.sessionId']) ?? str(a['ai.telemetry.metadata.session']),
    userId: str(a['ai.telemetry.metadata.userId']),
  };
};
