/**
 * What X-Ray needs to know about one span, whichever convention the agent's instrumentation
 * speaks. Each convention module reads its own attribute names into this one shape; the
 * trace builder and the live model read only this shape.
 */
import type { Attributes } from '../../protocol/events';

export interface SpanUsage {
  input: number | null;
  output: number | null;
  cacheRead: number | null;
  cacheWrite: number | null;
  reasoning: number | null;
}

export interface SpanFacts {
  /** Normalized operation: invoke_agent, create_agent, execute_tool, chat, embeddings, text_completion, generate_content, retrieval, chain… */
  operation: string | null;
  /** The agent this span names as its own (not inherited). */
  agentName: string | null;
  agentId: string | null;
  agentDescription: string | null;
  /** The span IS an agent's run (invoke_agent, an OpenInference AGENT span, an AI SDK call with a functionId). */
  isAgentSpan: boolean;
  provider: string | null;
  model: string | null;
  /** Request text (prompt / input messages), rendered readable. */
  input: string | null;
  /** Response text (completion / output messages), rendered readable. */
  output: string | null;
  systemInstructions: string | null;
  toolName: string | null;
  toolCallId: string | null;
  toolArguments: string | null;
  toolResult: string | null;
  usage: SpanUsage;
  /** Milliseconds from the request to the first streamed chunk. */
  timeToFirstTokenMs: number | null;
  sessionId: string | null;
  userId: string | null;
}

export type ConventionReader = (a: Attributes, name: string) => Partial<SpanFacts> & { usage?: Partial<SpanUsage> };

export const emptyUsage = (): SpanUsage => ({ input: null, output: null, cacheRead: null, cacheWrite: null, reasoning: null });

export const emptyFacts = (): SpanFacts => ({
  operation: null,
  agentName: null,
  agentId: null,
  agentDescription: null,
  isAgentSpan: false,
  provider: null,
  model: null,
  input: null,
  output: null,
  systemInstructions: null,
  toolName: null,
  toolCallId: null,
  toolArguments: null,
  toolResult: null,
  usage: emptyUsage(),
  timeToFirstTokenMs: null,
  sessionId: null,
  userId: null,
});

export const num = (v: unknown): number | null =>
  typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null;
export const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null);

/** Parses JSON text an exporter flattened an array or map into; null when it is not JSON. */
export function parseJson(v: unknown): unknown {
  if (typeof v !== 'string') return null;
  const t = v.trim();
  if (!t.startsWith('[') && !t.startsWith('{')) return null;
  try {
    return JSON.parse(t);
  } catch {
    return null;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The text of one message part, whichever shape: GenAI `{type:'text', content}`, AI SDK `{type:'text', text}`, tool calls and results. */
function partText(p: unknown): string {
  if (typeof p === 'string') return p;
  if (!isRecord(p)) return '';
  if (typeof p.content === 'string') return p.content;
  if (typeof p.text === 'string') return p.text;
  if (p.type === 'tool_call' || p.type === 'tool-call') return `[tool call ${String(p.name ?? p.toolName ?? '')}${p.arguments ?? p.args ?? p.input ? ` ${JSON.stringify(p.arguments ?? p.args ?? p.input)}` : ''}]`;
  if (p.type === 'tool_call_response' || p.type === 'tool-result') return `[tool result ${JSON.stringify(p.response ?? p.result ?? p.output ?? '')}]`;
  return '';
}

/** The text of one message: `content` as a string or a list of parts, or GenAI's `parts`. */
function messageText(m: unknown): string {
  if (typeof m === 'string') return m;
  if (!isRecord(m)) return '';
  const body = m.parts ?? m.content;
  if (typeof body === 'string') return body;
  if (Array.isArray(body)) return body.map(partText).filter(Boolean).join('\n');
  return '';
}

/** Renders a list of chat messages as `role: text` lines, the way a person reads a transcript. */
export function renderMessages(v: unknown): string | null {
  const list = Array.isArray(v) ? v : isRecord(v) && Array.isArray(v.messages) ? v.messages : null;
  if (!list) return null;
  const lines = list
    .map((m) => {
      const text = messageText(m);
      const role = isRecord(m) && typeof m.role === 'string' ? m.role : null;
      return text ? (role ? `${role}: ${text}` : text) : '';
    })
    .filter(Boolean);
  return lines.length ? lines.join('\n') : null;
}

/** Messages given as JSON text (or plain text, kept as is). */
export function messagesText(v: unknown): string | null {
  const parsed = parseJson(v);
  if (parsed !== null) return renderMessages(parsed) ?? (typeof v === 'string' ? v : null);
  return str(v);
}
