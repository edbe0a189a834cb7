/**
 * Pure: a batch's per-trace rollup (the events it adds to each trace's summary), folded event
 * by event and then written once per trace. Shared by the SQLite appender, the in-memory log
 * and the PostgreSQL log, so their summaries cannot drift apart (SPEC L4).
 */
import type { StampedEvent } from './eventLog';
import { isErrorEvent } from './searchableText';

/** A trace summary lists at most this many agents (the first seen). */
export const MAX_TRACE_AGENTS = 64;

export interface TraceRollup {
  first: number;
  first_ts: number;
  seq: number;
  ts: number;
  events: number;
  errors: number;
  lamport: number;
  agents: Set<string>;
}

/**
 * Adds event `e`, stored under `seq`, to its trace's rollup in `rollups`; a trace's first event
 * in the batch starts the rollup with the agents its stored summary already lists.
 */
export function foldTraceEvent(rollups: Map<string, TraceRollup>, traceId: string, e: StampedEvent, seq: number, knownAgents: (traceId: string) => readonly string[] | undefined): void {
  let t = rollups.get(traceId);
  if (!t) {
    t = { first: seq, first_ts: e.ts, seq, ts: e.ts, events: 0, errors: 0, lamport: 0, agents: new Set(knownAgents(traceId) ?? []) };
    rollups.set(traceId, t);
  }
  t.seq = seq;
  // Events of a batch need not arrive in time order: the span covers the earliest and the latest.
  t.first_ts = Math.min(t.first_ts, e.ts);
  t.ts = Math.max(t.ts, e.ts);
  t.events++;
  t.lamport = Math.max(t.lamport, e.lamport);
  if (isErrorEvent(e.kind, e.data)) t.errors++;
  if (t.agents.size < MAX_TRACE_AGENTS) {
    t.agents.add(e.agent);
    if (e.peer) t.agents.add(e.peer);
  }
}
