/** Pure: an agent's call latencies and recent errors from its call outcome events. */
import type { XrayEvent } from '../protocol/events';

export interface LatencyStats {
  count: number;
  p50: number | null;
  p95: number | null;
  max: number | null;
}

export interface AgentStats {
  /** Calls this agent served (it was the callee). */
  served: LatencyStats;
  /** Calls this agent made (it was the caller). */
  made: LatencyStats;
  recentErrors: { seq: number; ts: number; traceId: string | null; peer: string | null; message: string }[];
}

export function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function stats(values: number[]): LatencyStats {
  const s = [...values].sort((a, b) => a - b);
  return { count: s.length, p50: percentile(s, 50), p95: percentile(s, 95), max: s.length ? s[s.length - 1] : null };
}

export function agentStats(name: string, events: readonly XrayEvent[], maxErrors = 20): AgentStats {
  const served: number[] = [];
  const made: number[] = [];
  const recentErrors: AgentStats['recentErrors'] = [];
  for (const e of events) {
    if (e.kind === 'call.response' || e.kind === 'call.error' || e.kind === 'call.timeout') {
      // Outcomes are recorded with agent = callee, peer = caller.
      if (e.agent === name) served.push(e.data.duration_ms);
      if (e.peer === name) made.push(e.data.duration_ms);
      if (e.agent === name && e.kind !== 'call.response') {
        recentErrors.push({ seq: e.seq, ts: e.ts, traceId: e.trace_id, peer: e.peer, message: e.kind === 'call.error' ? `${e.data.code}: ${e.data.message}` : `timeout after ${e.data.timeout_ms} ms` });
      }
    } else if (e.kind === 'span.end' && e.agent === name && e.data.status === 'error') {
      recentErrors.push({ seq: e.seq, ts: e.ts, traceId: e.trace_id, peer: null, message: e.data.error ?? 'span failed' });
    }
  }
  return { served: stats(served), made: stats(made), recentErrors: recentErrors.slice(-maxErrors).reverse() };
}
