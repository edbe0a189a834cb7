/**
 * Which events describe spans, and what each one says about its span. Pure, so the index
 * (live and rebuild) and the tests share one mapping:
 * - `span.start` / `span.end` from the SDK and OTLP (OTLP ids start with `otlp-`);
 * - the relay's own calls: `call.request` opens a span named after the method whose agent is
 *   the worker; `call.response` closes it ok, `call.error` / `call.timeout` close it error;
 * - `gate.check`: a complete span of its own (`gate.check`, kind `gate`).
 */
import type { Attributes, XrayEvent } from '../../lib/protocol/events';
import type { SpanStatus } from '../../lib/selector/match';
import { assertNever } from '../../lib/assertNever';

export interface SpanUpdate {
  trace_id: string;
  span_id: string;
  seq: number;
  /** Present when this event opens the span (name, agent, start…). */
  open?: { name: string; agent: string; kind: string; parent_span_id: string | null; start: number };
  /** Present when this event closes it. */
  close?: { status: SpanStatus; end: number };
  attributes?: Attributes;
}

export const SPAN_EVENT_KINDS = ['span.start', 'span.end', 'call.request', 'call.response', 'call.error', 'call.timeout', 'gate.check'] as const;

export function spanUpdateOf(e: XrayEvent): SpanUpdate | null {
  if (!e.trace_id || !e.span_id) return null;
  const at = { trace_id: e.trace_id, span_id: e.span_id, seq: e.seq };
  const time = e.t ?? e.ts;
  switch (e.kind) {
    case 'span.start':
      return {
        ...at,
        open: { name: e.data.name, agent: e.agent, kind: e.id.startsWith('otlp-') ? 'otlp' : 'sdk', parent_span_id: e.parent_span_id, start: time },
        attributes: e.data.attributes,
      };
    case 'span.end':
      return {
        ...at,
        close: { status: e.data.status, end: time },
        attributes: e.data.error ? { ...e.data.attributes, error: e.data.error } : e.data.attributes,
      };
    case 'call.request':
      return {
        ...at,
        // The span belongs to the worker doing the work; the caller is an attribute.
        open: { name: e.data.method, agent: e.peer ?? e.agent, kind: 'relay', parent_span_id: e.parent_span_id, start: e.ts },
        attributes: { 'relay.caller': e.agent, 'relay.via': e.data.via, 'relay.correlation_id': e.data.correlation_id },
      };
    case 'call.response':
      return { ...at, close: { status: 'ok', end: e.ts } };
    case 'call.error':
      return { ...at, close: { status: 'error', end: e.ts }, attributes: { 'error.code': e.data.code, error: e.data.message } };
    case 'call.timeout':
      return { ...at, close: { status: 'error', end: e.ts }, attributes: { 'error.code': 'call_timeout' } };
    case 'gate.check':
      return {
        ...at,
        open: { name: 'gate.check', agent: e.agent, kind: 'gate', parent_span_id: e.parent_span_id, start: e.ts },
        close: { status: e.data.verdict === 'pass' ? 'ok' : 'error', end: e.ts },
        attributes: {
          'gate.name': e.data.gate,
          'gate.verdict': e.data.verdict,
          'gate.attempt': e.data.attempt,
          'gate.evidence': e.data.evidence.map((x) => x.span_id).join(','),
        },
      };
    // Not spans (SPAN_EVENT_KINDS lists the ones above); a token belongs to its span, adds nothing.
    case 'agent.connect':
    case 'agent.register':
    case 'agent.disconnect':
    case 'broadcast':
    case 'subscribe':
    case 'token':
    case 'alert.transition':
      return null;
    default:
      return assertNever(e, 'event');
  }
}
