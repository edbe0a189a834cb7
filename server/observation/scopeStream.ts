/**
 * Pure shaping for scoped streams: which events a scope sees, and how a run of them is
 * coalesced into one payload — tokens concatenated per span, other events kept whole.
 */
import type { Scope, StreamEvent, StreamPayload, TextRun } from '../../lib/protocol/dashboard';
import type { XrayEvent } from '../../lib/protocol/events';

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
  }
}

export function coalesce(events: readonly XrayEvent[], scope: Scope): StreamPayload {
  const runs = new Map<string, TextRun>();
  const out: StreamEvent[] = [];
  for (const e of events) {
    if (!scopeSees(scope, e)) continue;
    if (e.kind === 'token') {
      const key = `${e.trace_id ?? ''}/${e.span_id ?? ''}/${e.agent}`;
      const run = runs.get(key);
      if (run) {
        run[3] += e.data.text;
        run[4]++;
      } else runs.set(key, [e.trace_id, e.span_id, e.agent, e.data.text, 1]);
      continue;
    }
    out.push({ seq: e.seq, ts: e.ts, kind: e.kind, agent: e.agent, peer: e.peer, topic: e.topic, trace_id: e.trace_id, span_id: e.span_id, parent_span_id: e.parent_span_id, data: e.data as StreamEvent['data'] });
  }
  return { text: [...runs.values()], events: out };
}
