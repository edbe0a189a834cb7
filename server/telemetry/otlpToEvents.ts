/**
 * Maps OTLP spans to log events: a `span.start` at the span's start time and a `span.end`
 * at its end. Ids derive from trace and span id, so an exporter's retry is stored once.
 * The agent is `gen_ai.agent.name`, else the resource's `service.name`, held to the relay's
 * name rule (other characters become `_`): every agent name in the log obeys one rule, whatever
 * path it came by, so views can build keys and ids around it.
 */
import type { Attributes, NewEvent } from '../../lib/protocol/events';
import { isSpanId, isTraceId } from '../../lib/protocol/ids';
import { LIMITS } from '../../lib/protocol/limits';
import type { OtlpSpan } from './otlpSpan';

const MAX_ATTRIBUTES = 128;

function agentOf(s: OtlpSpan): string {
  const name = s.attributes['gen_ai.agent.name'] ?? s.resource['service.name'] ?? 'otel';
  return String(name).replace(/[^A-Za-z0-9._:@/+-]/g, '_').slice(0, LIMITS.nameChars) || 'otel';
}

export function otlpSpanToEvents(s: OtlpSpan, now: number): NewEvent[] {
  if (!isTraceId(s.traceId) || !isSpanId(s.spanId)) return [];
  const attributes: Attributes = Object.create(null); // keys are the exporter's: `__proto__` stays data
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
  const base = { ts: now, agent, peer: null, topic: null, trace_id: s.traceId, span_id: s.spanId };
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
