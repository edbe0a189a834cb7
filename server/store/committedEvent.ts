/**
 * The committed event as it lives in memory downstream (fanout window, model, SSE): one
 * object literal with the envelope's fields in one fixed order and nothing else (a sender's
 * idempotency `scope` stays in the store).
 *
 * WHY a literal rather than `{ ...event, seq }`: events reach the writer through spreads of
 * several shapes (frameToEvent's conditional fields, the lamport stamp, dropping `scope`), and
 * V8 gave nearly every object copied that way a hidden class of its own — a ~400-byte map and
 * descriptor array per event, as much as the event itself. The heap snapshot of a server
 * with a stalled dashboard showed 24k distinct maps for the 24k events in the fanout window
 * (issue 18). A literal shares one hidden class per kind of `data`.
 */
import type { XrayEvent } from '../../lib/protocol/events';
import type { StampedEvent } from './eventLog';

export function committedEvent(e: StampedEvent, seq: number): XrayEvent {
  return {
    seq,
    id: e.id,
    ts: e.ts,
    t: e.t,
    kind: e.kind,
    trace_id: e.trace_id,
    span_id: e.span_id,
    parent_span_id: e.parent_span_id,
    agent: e.agent,
    peer: e.peer,
    topic: e.topic,
    lamport: e.lamport,
    data: e.data,
  } as XrayEvent;
}
