/**
 * Pure: the calls between agents inside a time window of the log — per (caller → callee)
 * edge the call count, failures, median latency and the methods used. Feeds the swarm
 * graph's edge hover (which methods) and its replay of the last N minutes.
 * Requests carry the method (agent = caller, peer = callee); outcomes carry the result
 * (agent = callee, peer = caller); both share the call's span id.
 */
import type { XrayEvent } from '../protocol/events';
import { edgeKey } from '../model/keys';

export interface MethodCount {
  method: string;
  calls: number;
  errors: number;
}

export interface CallEdgeSummary {
  from: string;
  to: string;
  calls: number;
  errors: number;
  p50_ms: number | null;
  methods: MethodCount[];
}

export interface CallWindowQuery {
  since: number;
  until: number;
  from?: string;
  to?: string;
}

export function summarizeCalls(events: readonly XrayEvent[], q: CallWindowQuery): CallEdgeSummary[] {
  const methodOf = new Map<string, string>();
  const edges = new Map<string, CallEdgeSummary & { lat: number[]; byMethod: Map<string, MethodCount> }>();
  const edge = (from: string, to: string) => {
    const key = edgeKey('call', from, to);
    let e = edges.get(key);
    if (!e) edges.set(key, (e = { from, to, calls: 0, errors: 0, p50_ms: null, methods: [], lat: [], byMethod: new Map() }));
    return e;
  };
  for (const ev of events) {
    if (ev.kind === 'call.request') {
      if (ev.span_id) methodOf.set(ev.span_id, ev.data.method);
      continue;
    }
    if (ev.kind !== 'call.response' && ev.kind !== 'call.error' && ev.kind !== 'call.timeout') continue;
    if (ev.ts < q.since || ev.ts > q.until || !ev.peer) continue;
    const from = ev.peer;
    const to = ev.agent;
    if ((q.from && from !== q.from) || (q.to && to !== q.to)) continue;
    const e = edge(from, to);
    const failed = ev.kind !== 'call.response';
    e.calls++;
    if (failed) e.errors++;
    e.lat.push(ev.data.duration_ms);
    const method = (ev.span_id && methodOf.get(ev.span_id)) || '(unknown)';
    let m = e.byMethod.get(method);
    if (!m) e.byMethod.set(method, (m = { method, calls: 0, errors: 0 }));
    m.calls++;
    if (failed) m.errors++;
  }
  return [...edges.values()].map(({ lat, byMethod, ...e }) => {
    lat.sort((a, b) => a - b);
    return { ...e, p50_ms: lat.length ? lat[Math.floor((lat.length - 1) / 2)] : null, methods: [...byMethod.values()].sort((a, b) => b.calls - a.calls) };
  });
}
