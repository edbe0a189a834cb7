/**
 * One entry point: `spanFacts(attributes, name)` reads a span in every convention we speak
 * and merges them. Earlier readers win field by field: our own relay/SDK fields first (they
 * are explicit), then OpenTelemetry GenAI (the standard), OpenInference, the AI SDK.
 */
import type { Attributes } from '../../protocol/events';
import { readAiSdk } from './aiSdk';
import { emptyFacts, num, str, type ConventionReader, type SpanFacts, type SpanUsage } from './facts';
import { readGenAi } from './genAi';
import { readOpenInference } from './openInference';

export type { SpanFacts, SpanUsage } from './facts';

/** X-Ray's own fields on relay calls and SDK span frames (`session`, the exporter's TTFT). */
const readXray: ConventionReader = (a) => ({
  sessionId: str(a['session']) ?? str(a['xray.session']),
  timeToFirstTokenMs: num(a['xray.time_to_first_token_ms']),
});

const READERS: readonly ConventionReader[] = [readXray, readGenAi, readOpenInference, readAiSdk];

export function spanFacts(attributes: Attributes | undefined, name = ''): SpanFacts {
  const out = emptyFacts();
  if (!attributes) return out;
  for (const read of READERS) {
    const got = read(attributes, name);
    for (const [k, v] of Object.entries(got) as [keyof SpanFacts, unknown][]) {
      if (k === 'usage') {
        for (const [uk, uv] of Object.entries(v as Partial<SpanUsage>) as [keyof SpanUsage, number | null][]) if (out.usage[uk] === null && uv !== null && uv !== undefined) out.usage[uk] = uv;
      } else if (k === 'isAgentSpan') {
        out.isAgentSpan ||= Boolean(v);
      } else if ((out[k] === null || out[k] === undefined) && v !== null && v !== undefined) {
        (out as unknown as Record<string, unknown>)[k] = v;
      }
    }
  }
  return out;
}

/** Who a span is and where it belongs, without reading its content: cheap enough for the ingest and commit paths. */
export interface SpanIdentity {
  agentName: string | null;
  isAgentSpan: boolean;
  sessionId: string | null;
}

const AI_SDK_RUNS = new Set(['ai.generateText', 'ai.streamText', 'ai.generateObject', 'ai.streamObject']);
const text = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/** The same answers as `spanFacts` for agent, agent-span and session (a test holds them equal), minus the message parsing. */
export function spanIdentity(a: Attributes | undefined, name = ''): SpanIdentity {
  if (!a) return { agentName: null, isAgentSpan: false, sessionId: null };
  const op = text(a['gen_ai.operation.name']);
  const oiKind = text(a['openinference.span.kind'])?.toUpperCase();
  const functionId = text(a['ai.telemetry.functionId']);
  const aiOp = text(a['ai.operationId']);
  return {
    agentName: text(a['gen_ai.agent.name']) ?? text(a['agent.name']) ?? (oiKind === 'AGENT' ? name || null : null) ?? functionId,
    isAgentSpan: op === 'invoke_agent' || op === 'create_agent' || oiKind === 'AGENT' || (Boolean(functionId) && aiOp !== null && AI_SDK_RUNS.has(aiOp)),
    sessionId: text(a['session']) ?? text(a['xray.session']) ?? text(a['gen_ai.conversation.id']) ?? text(a['session.id']) ?? text(a['ai.telemetry.metadata.sessionId']) ?? text(a['ai.telemetry.metadata.session']),
  };
}

/** Operations that mean "this span is a call from one agent to another" when agents differ. */
export const isAgentInvocation = (f: Pick<SpanFacts, 'isAgentSpan'> & { operation?: string | null }): boolean => f.isAgentSpan || f.operation === 'invoke_agent';

/**
 * Set by OTLP ingest on a span that named no agent, whose stored agent is only the
 * resource's service name: readers attribute such a span to its nearest ancestor's agent.
 */
export const AGENT_SOURCE_ATTRIBUTE = 'xray.agent.source';

/** The agent a stored span names as its own, or null when it only carries the service name. */
export function ownAgentOf(storedAgent: string, attributes: Attributes | undefined): string | null {
  return attributes?.[AGENT_SOURCE_ATTRIBUTE] === 'service' ? null : storedAgent;
}
