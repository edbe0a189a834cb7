/**
 * The live model of the swarm, folded from committed events: agents with their state,
 * counters and recent text, and call edges with in-flight counts. Each agent and edge
 * remembers the seq that last changed it, so a fanout cursor finds "what changed since
 * seq N" without keeping a queue per client.
 */
import type { XrayEvent } from '../protocol/events';
import { agentName } from '../protocol/relay';
import { ownAgentOf, spanIdentity } from '../telemetry/conventions';
import { edgeKey } from './keys';
import { agentOfSpan, createSpanAgentIndex, recordSpan, spanKey, type SpanAgentIndex, type SpanResolution } from './spanAgents';
import { assertNever } from '../assertNever';

export type AgentStatus = 'idle' | 'working' | 'streaming' | 'error' | 'gone';

export interface AgentState {
  name: string;
  /** Stable small index, assigned on first sight: compact overview rows refer to agents by it. */
  idx: number;
  /** Seq of the last change to name-level facts (capabilities, last error); counters change `seq`. */
  metaSeq: number;
  /** Seq of the last change to anything but the token count and text (state, calls, errors, load). */
  countersSeq: number;
  /** Seq at which the text preview was last refreshed for the overview (at most every TAIL_REFRESH_MS). */
  tailSeq: number;
  tailTs: number;
  status: AgentStatus;
  connected: boolean;
  capabilities: string[];
  load: { active: number; max: number } | null;
  callsIn: number;
  callsOut: number;
  inflight: number;
  errors: number;
  tokens: number;
  /**
   * The tail of what this agent streamed in its current trace: at least the last
   * RECENT_TEXT_CHARS characters (all of them when fewer), at most twice that. Read it with
   * recentTextOf(); the overview shows a preview, not the full text.
   */
  recentText: string;
  recentTraceId: string | null;
  lastError: string | null;
  lastTs: number;
  /** Seq of the event that last changed this agent. */
  seq: number;
}

export interface EdgeState {
  /** `edgeKey(kind, from, to)`. */
  key: string;
  from: string;
  to: string;
  kind: 'call' | 'topic';
  calls: number;
  inflight: number;
  errors: number;
  lastTs: number;
  seq: number;
}

export interface SwarmTotals {
  events: number;
  tokens: number;
  calls: number;
  errors: number;
}

export interface SwarmModel {
  seq: number;
  nextIdx: number;
  agents: Map<string, AgentState>;
  edges: Map<string, EdgeState>;
  totals: SwarmTotals;
  /** Which agent each recent span works for (inherited from ancestors, resolved when late parents land). */
  spans: SpanAgentIndex;
}

export const RECENT_TEXT_CHARS = 280;

/** The last RECENT_TEXT_CHARS characters an agent streamed in its current trace. */
export function recentTextOf(a: AgentState): string {
  return a.recentText.length > RECENT_TEXT_CHARS ? a.recentText.slice(-RECENT_TEXT_CHARS) : a.recentText;
}

/** The overview's text preview of an agent refreshes at most this often: a glance, not a stream. */
export const TAIL_REFRESH_MS = 2000;
/** Disconnected agents kept for display past this count are dropped, oldest first. */
const MAX_GONE_AGENTS = 2000;

export function createSwarmModel(seq = 0): SwarmModel {
  return { seq, nextIdx: 0, agents: new Map(), edges: new Map(), totals: { events: 0, tokens: 0, calls: 0, errors: 0 }, spans: createSpanAgentIndex() };
}

/** A just-seen agent: no counters yet, idle, not known to be connected. */
export function newAgentState(name: string, seq: number, ts: number, idx = 0): AgentState {
  return {
    name,
    idx,
    metaSeq: seq,
    countersSeq: seq,
    tailSeq: seq,
    tailTs: ts,
    status: 'idle',
    connected: false,
    capabilities: [],
    load: null,
    callsIn: 0,
    callsOut: 0,
    inflight: 0,
    errors: 0,
    tokens: 0,
    recentText: '',
    recentTraceId: null,
    lastError: null,
    lastTs: ts,
    seq,
  };
}

/** The agent an event touches; `countersChanged` is false only for a token, which moves just the count and text. */
function agentOf(model: SwarmModel, name: string, seq: number, ts: number, countersChanged = true): AgentState {
  let a = model.agents.get(name);
  if (!a) {
    a = newAgentState(name, seq, ts, model.nextIdx++);
    model.agents.set(name, a);
  }
  a.seq = seq;
  a.lastTs = ts;
  if (countersChanged) a.countersSeq = seq;
  return a;
}

export { edgeKey };

function edgeOf(model: SwarmModel, kind: 'call' | 'topic', from: string, to: string, seq: number, ts: number): EdgeState {
  const key = edgeKey(kind, from, to);
  let e = model.edges.get(key);
  if (!e) {
    e = { key, from, to, kind, calls: 0, inflight: 0, errors: 0, lastTs: ts, seq };
    model.edges.set(key, e);
  }
  e.seq = seq;
  e.lastTs = ts;
  return e;
}

function parsePayload(payload: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(payload);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Folds `swarm.announce` / `swarm.health` conventions from the seed into agent state. */
function applyBroadcast(model: SwarmModel, e: Extract<XrayEvent, { kind: 'broadcast' }>): void {
  if (e.topic !== 'swarm.announce' && e.topic !== 'swarm.health') return;
  const body = parsePayload(e.data.payload);
  // The name comes from a payload, not the relay's registration check: hold it to the same rule,
  // or any broadcast could conjure an agent called `<img onerror=…>` or 1 MB of zero-width spaces.
  const name = agentName.safeParse(body?.name);
  if (!body || !name.success) return;
  const a = agentOf(model, name.data, e.seq, e.ts);
  if (e.topic === 'swarm.announce' && Array.isArray(body.capabilities)) {
    a.capabilities = body.capabilities.filter((c): c is string => typeof c === 'string').slice(0, 32);
    a.metaSeq = e.seq;
  }
  if (e.topic === 'swarm.health' && typeof body.activeTasks === 'number') {
    a.load = { active: body.activeTasks, max: typeof body.maxTasks === 'number' ? body.maxTasks : 0 };
  }
}

function settleCall(model: SwarmModel, e: XrayEvent, failed: string | null): void {
  // Outcome events are recorded with agent = the worker, peer = the caller.
  const worker = agentOf(model, e.agent, e.seq, e.ts);
  worker.inflight = Math.max(0, worker.inflight - 1);
  if (failed) {
    worker.errors++;
    worker.status = 'error';
    worker.lastError = failed;
    worker.metaSeq = e.seq;
    model.totals.errors++;
  } else if (worker.inflight === 0 && worker.status !== 'gone') worker.status = 'idle';
  if (e.peer) {
    const edge = edgeOf(model, 'call', e.peer, e.agent, e.seq, e.ts);
    edge.inflight = Math.max(0, edge.inflight - 1);
    if (failed) edge.errors++;
  }
}

/**
 * Keeps at most MAX_GONE_AGENTS agents that disconnected, dropping the oldest. Only agents that
 * left: agents known from spans, REST or OTLP never connect, and counting them (or counting
 * every agent instead of the gone ones) dropped thousands of live agents at one disconnect.
 */
function pruneGone(model: SwarmModel): void {
  if (model.agents.size <= MAX_GONE_AGENTS) return;
  const gone: AgentState[] = [];
  for (const a of model.agents.values()) if (a.status === 'gone' && !a.connected) gone.push(a);
  if (gone.length <= MAX_GONE_AGENTS) return;
  gone.sort((a, b) => a.lastTs - b.lastTs);
  for (const a of gone.slice(0, gone.length - MAX_GONE_AGENTS)) model.agents.delete(a.name);
}

/** Spans whose agent became known: agents named by spans appear; an invocation under another agent's span is a call edge. */
function applySpanResolutions(model: SwarmModel, e: XrayEvent, resolved: readonly SpanResolution[]): void {
  for (const r of resolved) {
    if (!r.caller) continue;
    agentOf(model, r.caller, e.seq, e.ts);
    agentOf(model, r.agent, e.seq, e.ts).callsIn++;
    edgeOf(model, 'call', r.caller, r.agent, e.seq, e.ts).calls++;
  }
}

function applySpanStart(model: SwarmModel, e: Extract<XrayEvent, { kind: 'span.start' }>): void {
  if (!e.trace_id || !e.span_id) return;
  const attrs = e.data.attributes;
  const own = ownAgentOf(e.agent, attrs);
  if (own && !model.agents.has(own)) agentOf(model, own, e.seq, e.ts);
  const parent = e.parent_span_id ? spanKey(e.trace_id, e.parent_span_id) : null;
  applySpanResolutions(model, e, recordSpan(model.spans, spanKey(e.trace_id, e.span_id), parent, own, spanIdentity(attrs, e.data.name).isAgentSpan, e.agent));
}

export function applyEvent(model: SwarmModel, e: XrayEvent): void {
  model.seq = e.seq;
  model.totals.events++;
  switch (e.kind) {
    case 'agent.connect':
    case 'agent.register': {
      const a = agentOf(model, e.agent, e.seq, e.ts);
      a.connected = true;
      a.status = 'idle';
      if (e.kind === 'agent.register' && e.data.capabilities) {
        a.capabilities = e.data.capabilities;
        a.metaSeq = e.seq;
      }
      return;
    }
    case 'agent.disconnect': {
      const a = agentOf(model, e.agent, e.seq, e.ts);
      a.connected = false;
      a.status = 'gone';
      a.inflight = 0;
      pruneGone(model);
      return;
    }
    case 'call.request': {
      model.totals.calls++;
      if (e.peer) {
        const worker = agentOf(model, e.peer, e.seq, e.ts);
        worker.callsIn++;
        worker.inflight++;
        if (worker.status !== 'gone') worker.status = 'working';
        const edge = edgeOf(model, 'call', e.agent, e.peer, e.seq, e.ts);
        edge.calls++;
        edge.inflight++;
      }
      // REST callers appear as the agent "rest" (or the `from` they name): the graph shows who asked.
      agentOf(model, e.agent, e.seq, e.ts).callsOut++;
      // The call's span is the callee's: spans under it (relay or OTLP) inherit that agent.
      if (e.trace_id && e.span_id && e.peer) {
        const parent = e.parent_span_id ? spanKey(e.trace_id, e.parent_span_id) : null;
        applySpanResolutions(model, e, recordSpan(model.spans, spanKey(e.trace_id, e.span_id), parent, e.peer, false, e.peer));
      }
      return;
    }
    case 'call.response':
      settleCall(model, e, null);
      return;
    case 'call.error':
      settleCall(model, e, `${e.data.code}: ${e.data.message}`);
      return;
    case 'call.timeout':
      settleCall(model, e, `call_timeout after ${e.data.timeout_ms} ms`);
      return;
    case 'token': {
      const a = agentOf(model, e.agent, e.seq, e.ts, false);
      a.tokens++;
      model.totals.tokens++;
      // A state change needs a full overview row; the count alone travels as a short one.
      if (a.status !== 'gone' && a.status !== 'error' && a.status !== 'streaming') {
        a.status = 'streaming';
        a.countersSeq = e.seq;
      }
      if (e.ts - a.tailTs >= TAIL_REFRESH_MS) {
        a.tailSeq = e.seq;
        a.tailTs = e.ts;
      }
      if (e.trace_id !== a.recentTraceId) {
        a.recentText = '';
        a.recentTraceId = e.trace_id;
      }
      // Appended as is and trimmed only past twice the kept length. Trimming on every token
      // copied the whole ~280-character tail once per token (flattened, then sliced): the largest
      // allocation of single-frame ingest on the server, and garbage that often outlived a
      // scavenge (issue 18). A concatenation only links the two strings.
      a.recentText += e.data.text;
      if (a.recentText.length > 2 * RECENT_TEXT_CHARS) a.recentText = a.recentText.slice(-RECENT_TEXT_CHARS);
      return;
    }
    case 'span.end':
      if (e.data.status === 'error') {
        // An OTLP span naming no agent failed for the agent it works for, not for its service.
        const owner = (e.trace_id && e.span_id ? agentOfSpan(model.spans, spanKey(e.trace_id, e.span_id)) : null) ?? e.agent;
        const a = agentOf(model, owner, e.seq, e.ts);
        a.errors++;
        a.status = 'error';
        a.lastError = e.data.error ?? 'span failed';
        a.metaSeq = e.seq;
        model.totals.errors++;
      }
      return;
    case 'broadcast':
      applyBroadcast(model, e);
      if (e.topic) edgeOf(model, 'topic', e.topic, e.agent, e.seq, e.ts).calls++;
      return;
    case 'span.start':
      applySpanStart(model, e);
      return;
    // No mark on the live graph: subscriptions, gate verdicts, alert transitions.
    case 'subscribe':
    case 'gate.check':
    case 'alert.transition':
      return;
    default:
      return assertNever(e, 'event');
  }
}

export function applyEvents(model: SwarmModel, events: readonly XrayEvent[]): void {
  for (const e of events) applyEvent(model, e);
}
