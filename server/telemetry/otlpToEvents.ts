/**
 * Maps OTLP spans to log events: a `span.start` at the span's start time and a `span.end`
 * at its end. Ids derive from trace and span id, so an exporter's retry is stored once.
 * The agent is the one the span names in any convention we speak (`gen_ai.agent.name`, an
 * OpenInference AGENT span, the AI SDK's functionId), else the resource's `service.name` —
 * marked `xray.agent.source=service` so readers attribute the span to its nearest
 * ancestor's agent instead (the parent may arrive in a later export batch).
 * Every agent name is held to the relay's name rule (other characters become `_`), whatever
 * path it came by, so views can build keys and ids around it.
 */
import type { Attributes } from '../../lib/protocol/events';
import { isSpanId, isTraceId } from '../../lib/protocol/ids';
import { AGENT_SOURCE_ATTRIBUTE, spanIdentity } from '../../lib/telemetry/conventions';
import { ANONYMOUS, senderScope } from '../relay/principal';
import type { ScopedEvent } from '../store/eventLog';
import { LIMITS } from '../../lib/protocol/limits';
import type { OtlpSpan } from './otlpSpan';

const MAX_ATTRIBUTES = 128;
/** Span events whose attributes are the span's content (GenAI puts messages there; the AI SDK its first-chunk time). */
const CONTENT_EVENTS = new Set(['gen_ai.client.inference.operation.details', 'ai.stream.firstChunk']);

/** The span's own attributes plus those of its content events (the span's own win). */
function contentAttributes(s: OtlpSpan): OtlpSpan['attributes'] {
  const events = s.events.filter((e) => CONTENT_EVENTS.has(e.name));
  if (!events.length) return s.attributes;
  const merged: OtlpSpan['attributes'] = Object.create(null);
  for (const e of events) Object.assign(merged, e.attributes);
  return Object.assign(merged, s.attributes);
}

/** An agent name held to the relay's rule (other characters become `_`). */
function asAgentName(raw: string): string {
  return raw.replace(/[^A-Za-z0-9._:@/+-]/g, '_').slice(0, LIMITS.nameChars);
}

/**
 * `principal`: who exported (key principal or anonymous). The ids' scope is (principal,
 * service.name): an exporter's retry is stored once, but no WebSocket agent (another scope)
 * can pre-claim a span's derived id (G3).
 */
export function otlpSpanToEvents(s: OtlpSpan, now: number, principal: string = ANONYMOUS): ScopedEvent[] {
  if (!isTraceId(s.traceId) || !isSpanId(s.spanId)) return [];
  const attributes: Attributes = Object.create(null); // keys are the exporter's: `__proto__` stays data
  let n = 0;
  for (const [k, v] of Object.entries(contentAttributes(s))) {
    if (n++ >= MAX_ATTRIBUTES) break;
    attributes[k] = v;
  }
  if (s.resource['service.name'] !== undefined) attributes['service.name'] = s.resource['service.name'];
  if (s.scope) attributes['otel.scope'] = s.scope;
  const exception = s.events.find((e) => e.name === 'exception');
  const error = s.statusMessage || (exception ? String(exception.attributes['exception.message'] ?? 'exception') : '');
  const named = spanIdentity(attributes, s.name).agentName;
  const own = named ? asAgentName(named) : '';
  // The exporter is the sender: its service (a retry carries the same resource), not the per-span agent.
  const service = String(s.resource['service.name'] ?? 'otel').slice(0, 128);
  const agent = own || asAgentName(service) || 'otel';
  if (!own) attributes[AGENT_SOURCE_ATTRIBUTE] = 'service';
  const base = { ts: now, agent, peer: null, topic: null, trace_id: s.traceId, span_id: s.spanId, scope: senderScope(principal, 'otlp', service) };
  const parent = s.parentSpanId && isSpanId(s.parentSpanId) ? s.parentSpanId : null;
  return [
    { ...base, id: `otlp-${s.traceId}-${s.spanId}-start`, t: s.startMs, kind: 'span.start', parent_span_id: parent, data: { name: s.name.slice(0, 256) || '(unnamed)', attributes } },
    {
      ...base,
      id: `otlp-${s.traceId}-${s.spanId}-end`,
      t: s.endMs,
      kind: 'span.end',
      parent_span_id: null,
      data: { status: s.statusCode === 2 ? 'error' : 'ok', ...(s.statusCode === 2 ? { error: error.slice(0, 4000) || 'error' } : {}) },
    },
  ];
}
