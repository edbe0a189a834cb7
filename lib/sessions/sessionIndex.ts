/**
 * Sessions: traces grouped by conversation. A trace joins a session when any of its events
 * names one — `gen_ai.conversation.id`, OpenInference `session.id`, AI SDK metadata
 * `sessionId`, the `session` attribute on SDK span frames, or the `session` field of a relay
 * call. Folded from committed events (and the recent log at start-up); bounded in sessions,
 * traces per session and traces tracked, oldest forgotten first.
 */
import type { XrayEvent } from '../protocol/events';
import { ownAgentOf, spanIdentity } from '../telemetry/conventions';

export interface SessionTrace {
  trace_id: string;
  first_ts: number;
  last_ts: number;
}

export interface SessionEntry {
  session_id: string;
  first_ts: number;
  last_ts: number;
  traces: Map<string, SessionTrace>;
  agents: Set<string>;
}

/** One row of `GET /api/sessions`. */
export interface SessionSummary {
  session_id: string;
  first_ts: number;
  last_ts: number;
  traces: number;
  agents: string[];
}

export interface SessionLimits {
  sessions: number;
  tracesPerSession: number;
  agentsPerSession: number;
}

export const SESSION_LIMITS: SessionLimits = { sessions: 10_000, tracesPerSession: 1_000, agentsPerSession: 64 };

/** The session an event names, if any. */
export function sessionOfEvent(e: XrayEvent): string | null {
  if (e.kind === 'call.request') return e.data.session ?? null;
  if (e.kind === 'span.start' || e.kind === 'span.end') return spanIdentity(e.data.attributes, e.kind === 'span.start' ? e.data.name : '').sessionId;
  return null;
}

export class SessionIndex {
  readonly sessions = new Map<string, SessionEntry>();
  /** Trace → the sessions it joined, so later events of the trace move the session's clock. */
  private readonly traceSessions = new Map<string, Set<string>>();

  constructor(private readonly limits: SessionLimits = SESSION_LIMITS) {}

  apply(events: readonly XrayEvent[]): void {
    for (const e of events) this.applyOne(e);
  }

  private applyOne(e: XrayEvent): void {
    if (!e.trace_id) return;
    const time = e.t ?? e.ts;
    const named = sessionOfEvent(e);
    if (named) this.join(named, e.trace_id, time);
    const sessions = this.traceSessions.get(e.trace_id);
    if (!sessions) return;
    const agent = e.kind === 'span.start' ? ownAgentOf(e.agent, e.data.attributes) : e.kind === 'call.request' ? e.peer : null;
    for (const id of sessions) {
      const s = this.sessions.get(id);
      const t = s?.traces.get(e.trace_id);
      if (!s || !t) continue;
      t.first_ts = Math.min(t.first_ts, time);
      t.last_ts = Math.max(t.last_ts, time);
      s.first_ts = Math.min(s.first_ts, time);
      if (time > s.last_ts) {
        s.last_ts = time;
        // Most recently active last: eviction takes the stalest session first.
        this.sessions.delete(id);
        this.sessions.set(id, s);
      }
      if (agent && s.agents.size < this.limits.agentsPerSession) s.agents.add(agent);
    }
  }

  private join(id: string, traceId: string, time: number): void {
    let s = this.sessions.get(id);
    if (!s) {
      s = { session_id: id, first_ts: time, last_ts: time, traces: new Map(), agents: new Set() };
      this.sessions.set(id, s);
      while (this.sessions.size > this.limits.sessions) this.forget(this.sessions.keys().next().value as string);
    }
    if (s.traces.has(traceId)) return;
    s.traces.set(traceId, { trace_id: traceId, first_ts: time, last_ts: time });
    if (s.traces.size > this.limits.tracesPerSession) {
      const oldest = s.traces.keys().next().value as string;
      s.traces.delete(oldest);
      this.traceSessions.get(oldest)?.delete(id);
    }
    let joined = this.traceSessions.get(traceId);
    if (!joined) this.traceSessions.set(traceId, (joined = new Set()));
    joined.add(id);
    const cap = this.limits.sessions * 4;
    while (this.traceSessions.size > cap) this.traceSessions.delete(this.traceSessions.keys().next().value as string);
  }

  private forget(id: string): void {
    const s = this.sessions.get(id);
    this.sessions.delete(id);
    if (s) for (const t of s.traces.keys()) this.traceSessions.get(t)?.delete(id);
  }

  /** Most recently active first; `before` pages by last activity time. */
  list(query: { limit: number; before?: number; q?: string }): SessionSummary[] {
    const out: SessionSummary[] = [];
    const all = [...this.sessions.values()].sort((a, b) => b.last_ts - a.last_ts || (a.session_id < b.session_id ? -1 : 1));
    for (const s of all) {
      if (query.before !== undefined && s.last_ts >= query.before) continue;
      if (query.q && !s.session_id.toLowerCase().includes(query.q.toLowerCase())) continue;
      out.push(summarize(s));
      if (out.length >= query.limit) break;
    }
    return out;
  }

  get(id: string): SessionEntry | undefined {
    return this.sessions.get(id);
  }
}

export function summarize(s: SessionEntry): SessionSummary {
  return { session_id: s.session_id, first_ts: s.first_ts, last_ts: s.last_ts, traces: s.traces.size, agents: [...s.agents].sort() };
}
