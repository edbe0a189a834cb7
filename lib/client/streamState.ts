/**
 * Pure shaping of a scoped stream (agent, trace, topic) in the browser: full token text per
 * span, growing as deltas arrive, plus the non-token events; gap detection as for the overview.
 */
import type { Delta, Snapshot, StreamEvent, StreamPayload } from '../protocol/dashboard';

export interface SpanText {
  key: string;
  traceId: string | null;
  spanId: string | null;
  agent: string;
  text: string;
  tokens: number;
  /** Seq when this span last grew: newest first in a live list. */
  updatedSeq: number;
}

export interface StreamState {
  seq: number;
  /** By `traceId/spanId/agent`: agent names are outside strings, so a Map (copied on write). */
  spans: ReadonlyMap<string, SpanText>;
  /** Span keys in first-seen order. */
  order: string[];
  events: StreamEvent[];
  tokens: number;
  truncated: boolean;
  gaps: number;
  /**
   * The seq this state's text starts after: 0 when it came from a snapshot (the whole scope),
   * or the seq a view resumed from (a trace page that loaded the text up to it elsewhere):
   * then `spans` hold only what arrived after it.
   */
  origin: number;
}

/** Events kept per stream (text is kept whole; the event list is a recent history). */
export const MAX_STREAM_EVENTS = 2000;

export const emptyStream: StreamState = { seq: -1, spans: new Map(), order: [], events: [], tokens: 0, truncated: false, gaps: 0, origin: 0 };

/** A stream that continues after `seq`: the view holds everything up to it already. */
export function streamFrom(seq: number): StreamState {
  return { ...emptyStream, seq, origin: seq };
}

function merge(prev: StreamState, p: StreamPayload, seq: number): StreamState {
  const spans = p.text.length ? new Map(prev.spans) : prev.spans;
  const order = p.text.length ? [...prev.order] : prev.order;
  let tokens = prev.tokens;
  for (const [traceId, spanId, agent, text, count] of p.text) {
    const key = `${traceId ?? ''}/${spanId ?? ''}/${agent}`;
    const old = spans.get(key);
    if (!old) order.push(key);
    (spans as Map<string, SpanText>).set(key, { key, traceId, spanId, agent, text: (old?.text ?? '') + text, tokens: (old?.tokens ?? 0) + count, updatedSeq: seq });
    tokens += count;
  }
  const events = p.events.length ? [...prev.events, ...p.events].slice(-MAX_STREAM_EVENTS) : prev.events;
  return { ...prev, spans, order, events, tokens };
}

export function applyStreamSnapshot(prev: StreamState, s: Extract<Snapshot, { kind: 'stream' }>): StreamState {
  return { ...merge({ ...emptyStream, gaps: prev.gaps }, s, s.seq), seq: s.seq, truncated: s.truncated, origin: 0 };
}

export function applyStreamDelta(prev: StreamState, d: Extract<Delta, { kind: 'stream' }>): { state: StreamState; gap: boolean } {
  if (prev.seq < 0 || d.from !== prev.seq + 1 || d.to < d.from) return { state: { ...prev, gaps: prev.gaps + 1 }, gap: true };
  return { state: { ...merge(prev, d, d.to), seq: d.to }, gap: false };
}
