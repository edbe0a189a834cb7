/**
 * Turns validated data frames (token, span.start, span.end) into log events. A frame that
 * names only a `correlation_id` joins the trace and span of that call, so a worker that
 * knows nothing of tracing still lands its tokens in the caller's Neural Trace.
 */
import { XrayError } from '../../lib/protocol/errors';
import type { ScopedEvent } from '../store/eventLog';
import { mintEventId } from '../../lib/protocol/ids';
import type { DataFrame } from '../../lib/protocol/relay';
import { assertNever } from '../../lib/assertNever';

export interface CallContext {
  traceId: string;
  spanId: string;
}

export type CorrelationLookup = (correlationId: string) => CallContext | undefined;

function resolve(frame: DataFrame, lookup: CorrelationLookup): CallContext | undefined {
  if (!('correlation_id' in frame) || !frame.correlation_id) return undefined;
  const ctx = lookup(frame.correlation_id);
  if (!ctx && !frame.trace_id) throw new XrayError('unknown_correlation', `no call with correlation_id ${frame.correlation_id}`);
  return ctx;
}

/** `scope`: the sender's idempotency scope, so a client-given id is unique per sender only (G3). */
export function frameToEvent(frame: DataFrame, agent: string, now: number, lookup: CorrelationLookup, scope?: string): ScopedEvent {
  const ctx = resolve(frame, lookup);
  const base = { id: frame.id ?? mintEventId(), ts: now, t: frame.t ?? null, agent, peer: null, topic: null, ...(frame.id && scope ? { scope } : {}) };
  switch (frame.type) {
    case 'token':
      return {
        ...base,
        kind: 'token',
        trace_id: frame.trace_id ?? ctx?.traceId ?? null,
        span_id: frame.span_id ?? ctx?.spanId ?? null,
        parent_span_id: null,
        data: {
          text: frame.text,
          ...(frame.index !== undefined ? { index: frame.index } : {}),
          ...(frame.correlation_id ? { correlation_id: frame.correlation_id } : {}),
        },
      };
    case 'span.start': {
      const traceId = frame.trace_id ?? ctx?.traceId;
      if (!traceId) throw new XrayError('invalid_message', 'span.start needs trace_id or the correlation_id of a call');
      return {
        ...base,
        kind: 'span.start',
        trace_id: traceId,
        span_id: frame.span_id,
        parent_span_id: frame.parent_span_id ?? ctx?.spanId ?? null,
        data: { name: frame.name, ...(frame.attributes ? { attributes: frame.attributes } : {}) },
      };
    }
    case 'span.end': {
      if (!frame.trace_id) throw new XrayError('invalid_message', 'span.end needs trace_id');
      return {
        ...base,
        kind: 'span.end',
        trace_id: frame.trace_id,
        span_id: frame.span_id,
        parent_span_id: null,
        data: { status: frame.status, ...(frame.error ? { error: frame.error } : {}), ...(frame.attributes ? { attributes: frame.attributes } : {}) },
      };
    }
    default:
      return assertNever(frame, 'frame');
  }
}
