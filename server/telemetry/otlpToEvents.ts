/**
 * Maps OTLP spans to log events: a `span.start` at the span's start time and a `span.end`
 * at its end. Ids derive from trace and span id, so an exporter's retry is stored once.
 * The agent is `gen_ai.agent.name`, else the resource's `service.name`.
 */
import type { Attributes } from '../../lib/protocol/events';
import { isSpanId, isTraceId } from '../../lib/protocol/ids';
import { ANONYMOUS, senderScope } from '../relay/principal';
import type { ScopedEvent } from '../store/eventLog';
import type { OtlpSpan } from './otlpSpan';

const MAX_ATTRIBUTES = 128;

function agentOf(s: OtlpSpan): string {
  const name = s.attributes['gen_ai.agent.name'] ?? s.resource['service.name'] ?? 'otel';
  return String(name).slice(0, 128) || 'otel';
}

/**
 * `principal`: who exported (key principal or anonymous). The ids' scope is (principal,
 * service.name): an exporter's retry is stored once, but no WebSocket agent (another scope)
 * can pre-claim a span's derived id (G3).
 */
export function otlpSpanToEvents(s: OtlpSpan, now: number, principal: string = ANONYMOUS): ScopedEvent[] {
  if (!isTraceId(s.traceId) || !isSpanId(s.spanId)) return [];
  const attributes: Attributes = {};
  let n = 0;
  for (const [k, v] of Object.entries(s.attributes)) {
    if (n++ >= MAX_ATTRIBUTES) break;
    attributes[k] = v;
  }
  if (s.resource['service.name'] !== undefined) attributes['service.name'] = s.resource['service.name'];
  if (s.scope) attributes['otel.scope'] = s.scope;
  const exception = s.events.find((e) => e.name === 'exception');
  const error = s.statusMessage || (exception ? String(exception.attributes['exception.message'] ?? 'exception') : '');
  const agent = agentOf(s);
  // The exporter is the sender: its service (a retry carries the same resource), not the per-span agent.
  const service = String(s.resource['service.name'] ?? 'otel').slice(0, 128);
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
