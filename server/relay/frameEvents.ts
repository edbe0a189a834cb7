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

/** The event of one frame: one object literal, never a spread of a shared base (see frameToEvent). */
function frameEvent(
  frame: DataFrame,
  agent: string,
  now: number,
  scope: string | undefined,
  trace_id: string | null,
  span_id: string | null,
  parent_span_id: string | null,
  data: ScopedEvent['data'],
): ScopedEvent {
  return {
    id: frame.id ?? mintEventId(),
    ts: now,
    t: frame.t ?? null,
    agent,
    peer: null,
    topic: null,
    // Only a client-given id has a scope: a minted one is unique on its own.
    scope: frame.id && scope ? scope : undefined,
    kind: frame.type,
    trace_id,
    span_id,
    parent_span_id,
    data,
  } as ScopedEvent;
}

/**
 * `scope`: the sender's idempotency scope, so a client-given id is unique per sender only (G3).
 * Hot path (one call per ingested frame): in V8 `{ ...base, more }` takes a slow runtime path
 * that cost more than the SQLite insert of the event (ingest profile, bench/README), so events
 * are built field by field.
 */
export function frameToEvent(frame: DataFrame, agent: string, now: number, lookup: CorrelationLookup, scope?: string): ScopedEvent {
  const ctx = resolve(frame, lookup);
  switch (frame.type) {
    case 'token': {
      const data: { text: string; index?: number; correlation_id?: string } = { text: frame.text };
      if (frame.index !== undefined) data.index = frame.index;
      if (frame.correlation_id) data.correlation_id = frame.correlation_id;
      return frameEvent(frame, agent, now, scope, frame.trace_id ?? ctx?.traceId ?? null, frame.span_id ?? ctx?.spanId ?? null, null, data);
    }
    case 'span.start': {
      const traceId = frame.trace_id ?? ctx?.traceId;
      if (!traceId) throw new XrayError('invalid_message', 'span.start needs trace_id or the correlation_id of a call');
      const data: { name: string; attributes?: typeof frame.attributes } = { name: frame.name };
      if (frame.attributes) data.attributes = frame.attributes;
      return frameEvent(frame, agent, now, scope, traceId, frame.span_id, frame.parent_span_id ?? ctx?.spanId ?? null, data);
    }
    case 'span.end': {
      if (!frame.trace_id) throw new XrayError('invalid_message', 'span.end needs trace_id');
      const data: { status: typeof frame.status; error?: typeof frame.error; attributes?: typeof frame.attributes } = { status: frame.status };
      if (frame.error) data.error = frame.error;
      if (frame.attributes) data.attributes = frame.attributes;
      return frameEvent(frame, agent, now, scope, frame.trace_id, frame.span_id, null, data);
    }
    default:
      return assertNever(frame, 'frame');
  }
}
