/**
 * Pure shaping for scoped streams: which events a scope sees, and how a run of them is
 * coalesced into one payload — tokens concatenated per span, other events kept whole.
 */
import type { Scope, StreamEvent, StreamPayload, TextRun } from '../../lib/protocol/dashboard';
import type { XrayEvent } from '../../lib/protocol/events';
import { assertNever } from '../../lib/assertNever';

export function scopeSees(scope: Scope, e: XrayEvent): boolean {
  switch (scope.kind) {
    case 'overview':
      return true;
    case 'agent':
      return e.agent === scope.name || (e.kind !== 'token' && e.peer === scope.name);
    case 'trace':
      return e.trace_id === scope.traceId;
    case 'topic':
      return e.topic === scope.topic && (e.kind === 'broadcast' || e.kind === 'subscribe');
    default:
      return assertNever(scope, 'scope');
  }
}

/** A payload being built: text runs by span (insertion order = first appearance), other events in seq order. */
export interface StreamAccumulator {
  runs: Map<string, TextRun>;
  events: StreamEvent[];
  /** Characters of token text held (a memory estimate for caches). */
  textChars: number;
}

export function emptyAccumulator(): StreamAccumulator {
  return { runs: new Map(), events: [], textChars: 0 };
}

/**
 * Folds a run of events (in seq order, after everything already folded) into `acc`. Folding
 * pages one after another gives the same payload as coalescing them all at once, so a big
 * snapshot can be built page by page and extended as the log grows.
 */
export function coalesceInto(acc: StreamAccumulator, events: readonly XrayEvent[], scope: Scope): void {
  const { runs, events: out } = acc;
  for (const e of events) {
    if (!scopeSees(scope, e)) continue;
    if (e.kind === 'token') {
      const key = `${e.trace_id ?? ''}/${e.span_id ?? ''}/${e.agent}`;
      const run = runs.get(key);
      if (run) {
        run[3] += e.data.text;
        run[4]++;
      } else runs.set(key, [e.trace_id, e.span_id, e.agent, e.data.text, 1]);
      acc.textChars += e.data.text.length;
      continue;
    }
    out.push({ seq: e.seq, ts: e.ts, kind: e.kind, agent: e.agent, peer: e.peer, topic: e.topic, trace_id: e.trace_id, span_id: e.span_id, parent_span_id: e.parent_span_id, data: e.data as StreamEvent['data'] });
  }
}

export function coalesce(events: readonly XrayEvent[], scope: Scope): StreamPayload {
  const acc = emptyAccumulator();
  coalesceInto(acc, events, scope);
  return { text: [...acc.runs.values()], events: acc.events };
}
