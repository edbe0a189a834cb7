/**
 * Reconstructs one Neural Trace from its events: the causal tree of calls and spans (nested
 * by parent span), each node with its agent, name, timing, status, assembled token text,
 * usage and attributes, plus the path from the root to every failure — "who asked whom,
 * what each produced, where it went wrong". Pure and linear in the number of events, so a
 * trace of 1,000 spans and 100,000 tokens rebuilds in milliseconds.
 *
 * Span ids, agent names and attribute keys come from agents: the work is done in Maps, and the
 * objects the tree carries over the wire (`nodes`, `attributes`) have a null prototype, so a key
 * such as `__proto__` or `constructor` is data, never Object.prototype's member.
 */
import { costOf, type PriceTable } from '../cost/prices';
import type { Attributes, XrayEvent } from '../protocol/events';
import { ownAgentOf, spanFacts, type SpanUsage } from '../telemetry/conventions';
import { rollUpUsage, type UsageTotals } from './usageRollup';
import { assertNever } from '../assertNever';
import { traceNodeId } from '../model/keys';

export type NodeStatus = 'ok' | 'error' | 'timeout' | 'running';

export interface TraceNode {
  id: string;
  parentId: string | null;
  /** `gate`: an evidence gate's verdict (gate.check), with its cited spans in `evidence`. */
  kind: 'call' | 'span' | 'stream' | 'gate';
  /** Method for calls, span name for spans. */
  name: string;
  /** Who did the work: the callee for calls, the emitting agent for spans. */
  agent: string;
  /** For calls: who asked. */
  caller: string | null;
  start: number;
  end: number | null;
  status: NodeStatus;
  error: string | null;
  /** Request and response payloads of a call. */
  request: string | null;
  response: string | null;
  /** Assembled token text; empty in an outline (see traceOutline.ts), which has `textChars` instead. */
  text: string;
  /** In an outline: how many characters of text the node has. */
  textChars?: number;
  /** In an outline, for nodes on a failure path: the start of the text. */
  preview?: string;
  tokens: number;
  usage: SpanUsage;
  /** Cost of this node's own usage at the configured prices (null: no usage or no price for the model). */
  cost: number | null;
  model: string | null;
  provider: string | null;
  operation: string | null;
  /** A tool call this node made or ran: name, call id, arguments and result as recorded. */
  tool: { name: string | null; callId: string | null; arguments: string | null; result: string | null } | null;
  systemInstructions: string | null;
  /** Ms from the node's start to its first token (streamed here, or as the instrumentation reported it). */
  timeToFirstTokenMs: number | null;
  /** The conversation this node belongs to (gen_ai.conversation.id, session.id, a `session` field). */
  sessionId: string | null;
  /** True when the agent is the nearest ancestor's, the span naming none of its own. */
  agentInherited: boolean;
  /** Null-prototype object (a wire format): every key is an own data property. */
  attributes: Attributes;
  children: string[];
  depth: number;
  /** Lamport of the first event: causal order among siblings, whatever the agents' clocks say. */
  lamport: number;
  firstSeq: number;
  lastSeq: number;
  onFailurePath: boolean;
  /** For gate nodes: the cited span ids, and each requirement's outcome. */
  evidence?: string[];
  requirements?: { requirement: string; ok: boolean; span_id?: string; trace_id?: string; reason: string }[];
}

export interface TraceFailure {
  nodeId: string;
  /** Root → failing node. */
  path: string[];
  /** True when no descendant failed too: the likely root cause. */
  rootCause: boolean;
}

export interface TraceTree {
  traceId: string;
  /** By node id; a null-prototype object (it travels as JSON): read only ids the tree lists. */
  nodes: Readonly<Record<string, TraceNode>>;
  roots: string[];
  /** Node ids in depth-first order, children by causal (lamport) order: the waterfall's rows. */
  order: string[];
  start: number;
  end: number;
  status: NodeStatus;
  agents: string[];
  tokens: number;
  events: number;
  failures: TraceFailure[];
  headSeq: number;
  /** Tokens and cost of the trace's model calls (outer spans repeating their children's usage count once). */
  usage: UsageTotals;
  byAgent: (UsageTotals & { agent: string })[];
  byModel: (UsageTotals & { model: string })[];
  /** Sessions (conversations) this trace belongs to. */
  sessions: string[];
  /** True when the nodes carry no text (`/api/traces/:id/outline`). */
  outline?: boolean;
  /** In an outline: the text of the node the page selects first, as of `headSeq`. */
  first?: { id: string; text: string; chars: number; truncated: boolean };
}

export interface BuildOptions {
  prices?: PriceTable | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

function newNode(id: string, kind: TraceNode['kind'], e: XrayEvent): TraceNode {
  const time = e.t ?? e.ts;
  return {
    id,
    parentId: null,
    kind,
    name: '',
    agent: e.agent,
    caller: null,
    start: time,
    end: null,
    status: 'running',
    error: null,
    request: null,
    response: null,
    text: '',
    tokens: 0,
    usage: { input: null, output: null, cacheRead: null, cacheWrite: null, reasoning: null },
    cost: null,
    model: null,
    provider: null,
    operation: null,
    tool: null,
    systemInstructions: null,
    timeToFirstTokenMs: null,
    sessionId: null,
    agentInherited: false,
    attributes: nullProto(),
    children: [],
    depth: 0,
    lamport: e.lamport,
    firstSeq: e.seq,
    lastSeq: e.seq,
    onFailurePath: false,
  };
}

/** An empty dictionary without a prototype. */
export function nullProto<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** Copies own entries into a null-prototype object (a plain `{}` would swallow a `__proto__` key). */
function copyInto<T>(target: Record<string, T>, source: Readonly<Record<string, T>>): Record<string, T> {
  for (const [k, v] of Object.entries(source)) target[k] = v;
  return target;
}

function toNullProto<T>(map: ReadonlyMap<string, T>): Record<string, T> {
  const out = nullProto<T>();
  for (const [k, v] of map) out[k] = v;
  return out;
}

/** The tree as the API sent it, its dictionaries given back a null prototype (JSON.parse makes plain objects). */
export function traceFromJson(t: TraceTree): TraceTree {
  const nodes = nullProto<TraceNode>();
  for (const [id, n] of Object.entries(t.nodes)) nodes[id] = { ...n, attributes: copyInto(nullProto(), n.attributes) };
  return { ...t, nodes };
}

/** Reads the node's merged attributes in every convention we speak (spans: after start and end both landed). */
function applyConventions(node: TraceNode): void {
  const f = spanFacts(node.attributes, node.name);
  node.operation = f.operation;
  node.model = f.model;
  node.provider = f.provider;
  node.usage = f.usage;
  node.sessionId = f.sessionId;
  node.systemInstructions = f.systemInstructions;
  if (f.timeToFirstTokenMs !== null) node.timeToFirstTokenMs = f.timeToFirstTokenMs;
  if (node.kind === 'span') {
    node.request = f.input;
    node.response = f.output;
    if (f.agentName) node.agent = f.agentName;
  }
  if (f.toolName || f.toolArguments || f.toolResult) node.tool = { name: f.toolName, callId: f.toolCallId, arguments: f.toolArguments, result: f.toolResult };
}

export function buildTrace(traceId: string, events: readonly XrayEvent[], options: BuildOptions = {}): TraceTree {
  const acc = newTraceAccumulator(traceId);
  addTraceEvents(acc, events);
  return finishTrace(acc, options);
}

/**
 * A trace being folded: `addTraceEvents` takes the events in seq order, in as many runs as
 * the caller likes (a server reading a 100k-event trace page by page yields the event loop
 * between pages), and `finishTrace` assembles the tree once at the end.
 */
export interface TraceAccumulator {
  traceId: string;
  nodes: Map<string, TraceNode>;
  /** Token text per node, as chunks keyed by index when given (agents may retry out of order). */
  chunks: Map<string, { index: number; seq: number; text: string }[]>;
  firstTokenAt: Map<string, number>;
  /** Relay calls carry their session in the request's data. */
  callSessions: Map<string, string>;
  start: number;
  end: number;
  headSeq: number;
  agents: Set<string>;
  events: number;
}

export function newTraceAccumulator(traceId: string): TraceAccumulator {
  return { traceId, nodes: new Map(), chunks: new Map(), firstTokenAt: new Map(), callSessions: new Map(), start: Infinity, end: -Infinity, headSeq: 0, agents: new Set(), events: 0 };
}

export function addTraceEvents(acc: TraceAccumulator, events: readonly XrayEvent[]): TraceAccumulator {
  const { traceId, nodes, chunks, firstTokenAt, callSessions, agents } = acc;
  acc.events += events.length;

  const node = (id: string, kind: TraceNode['kind'], e: XrayEvent): TraceNode => {
    let n = nodes.get(id);
    if (!n) nodes.set(id, (n = newNode(id, kind, e)));
    else if (n.kind === 'stream' && kind !== 'stream') n.kind = kind; // tokens arrived before the span opened
    n.lastSeq = Math.max(n.lastSeq, e.seq);
    return n;
  };

  for (const e of events) {
    if (e.trace_id !== traceId) continue;
    const time = e.t ?? e.ts;
    acc.start = Math.min(acc.start, time);
    acc.end = Math.max(acc.end, time);
    acc.headSeq = Math.max(acc.headSeq, e.seq);
    agents.add(e.agent);
    if (e.peer) agents.add(e.peer);
    const spanId = traceNodeId(e.span_id, e.agent);
    switch (e.kind) {
      case 'call.request': {
        const n = node(spanId, 'call', e);
        n.name = e.data.method;
        n.agent = e.peer ?? e.agent;
        n.caller = e.agent;
        n.parentId = e.parent_span_id;
        n.request = e.data.payload;
        if (e.data.session) callSessions.set(spanId, e.data.session);
        n.start = Math.min(n.start, time);
        n.lamport = Math.min(n.lamport, e.lamport);
        break;
      }
      case 'call.response':
      case 'call.error':
      case 'call.timeout': {
        const n = node(spanId, 'call', e);
        n.end = time;
        if (e.kind === 'call.response') {
          n.status = 'ok';
          n.response = e.data.payload;
        } else if (e.kind === 'call.error') {
          n.status = 'error';
          n.error = `${e.data.code}: ${e.data.message}`;
        } else {
          n.status = 'timeout';
          n.error = `no answer within ${e.data.timeout_ms} ms`;
        }
        break;
      }
      case 'span.start': {
        const n = node(spanId, 'span', e);
        n.name = e.data.name;
        n.agent = e.agent;
        n.parentId = e.parent_span_id;
        n.start = time;
        n.lamport = Math.min(n.lamport, e.lamport);
        if (e.data.attributes) copyInto(n.attributes, e.data.attributes);
        break;
      }
      case 'span.end': {
        const n = node(spanId, 'span', e);
        n.end = time;
        n.status = e.data.status === 'error' ? 'error' : 'ok';
        if (e.data.error) n.error = e.data.error;
        if (e.data.attributes) copyInto(n.attributes, e.data.attributes);
        break;
      }
      case 'gate.check': {
        // A verdict is a node of its own: refused claims show on the failure path.
        const n = node(spanId, 'gate', e);
        n.name = `gate ${e.data.gate}: ${e.data.verdict}`;
        n.agent = e.agent;
        n.parentId = e.parent_span_id;
        n.start = time;
        n.end = time;
        n.status = e.data.verdict === 'pass' ? 'ok' : 'error';
        n.error = e.data.verdict === 'pass' ? null : e.data.requirements.filter((r) => !r.ok).map((r) => r.reason).join('; ') || 'refused';
        n.attributes = { 'gate.name': e.data.gate, 'gate.verdict': e.data.verdict, 'gate.attempt': e.data.attempt, 'gate.evidence': e.data.evidence.map((x) => x.span_id).join(',') };
        n.evidence = e.data.evidence.map((x) => x.span_id);
        n.requirements = e.data.requirements.map((r) => ({ requirement: r.requirement, ok: r.ok, ...(r.span_id ? { span_id: r.span_id } : {}), ...(r.trace_id ? { trace_id: r.trace_id } : {}), reason: r.reason }));
        break;
      }
      case 'token': {
        const n = node(spanId, 'stream', e);
        if (n.kind === 'stream' && !n.name) n.name = 'tokens';
        n.tokens++;
        if (!(firstTokenAt.get(spanId)! <= time)) firstTokenAt.set(spanId, time);
        let list = chunks.get(spanId);
        if (!list) chunks.set(spanId, (list = []));
        list.push({ index: e.data.index ?? -1, seq: e.seq, text: e.data.text });
        break;
      }
      // Not a node of the tree (they still count for the trace's time range and agents above).
      case 'agent.connect':
      case 'agent.register':
      case 'agent.disconnect':
      case 'broadcast':
      case 'subscribe':
      case 'alert.transition':
        break;
      default:
        assertNever(e, 'event');
    }
  }
  return acc;
}

/**
 * The tree of what the accumulator holds so far, leaving the accumulator as it was: it can
 * take more events and be finished again, with the same result as folding everything in one
 * go. (`finishTrace` writes into the nodes it links — children, inherited agents, conventions —
 * so it works on copies of them here; token chunks and the agents set are copied too.)
 */
export function finishTraceSoFar(acc: TraceAccumulator, options: BuildOptions = {}): TraceTree {
  const nodes = new Map<string, TraceNode>();
  for (const [id, n] of acc.nodes) nodes.set(id, { ...n, children: [...n.children] });
  const chunks = new Map<string, { index: number; seq: number; text: string }[]>();
  for (const [id, list] of acc.chunks) chunks.set(id, list.slice());
  return finishTrace({ ...acc, nodes, chunks, agents: new Set(acc.agents) }, options);
}

/** What keeping an accumulator costs, roughly (per event: its chunk and text; per node: its fields and attributes), without walking it. */
export function accumulatorBytes(acc: TraceAccumulator): number {
  return acc.events * 96 + acc.nodes.size * 1024;
}

/** Assembles the tree from a finished fold (it consumes the accumulator). */
export function finishTrace(acc: TraceAccumulator, options: BuildOptions = {}): TraceTree {
  const { traceId, nodes, chunks, firstTokenAt, callSessions, agents, start, end, headSeq } = acc;
  for (const [id, list] of chunks) {
    // Only sort when indices are present and out of order: the common case is already in order.
    let sorted = true;
    for (let i = 1; i < list.length; i++) if (list[i].index >= 0 && list[i].index < list[i - 1].index) sorted = false;
    if (!sorted) list.sort((a, b) => a.index - b.index || a.seq - b.seq);
    nodes.get(id)!.text = list.map((c) => c.text).join('');
  }

  for (const n of nodes.values()) {
    if (n.kind === 'span' || n.kind === 'call') applyConventions(n);
    if (n.kind === 'call') n.sessionId = callSessions.get(n.id) ?? n.sessionId;
    const first = firstTokenAt.get(n.id);
    if (n.timeToFirstTokenMs === null && first !== undefined && n.kind !== 'stream') n.timeToFirstTokenMs = Math.max(0, first - n.start);
  }

  // Link children; a parent that is not in this trace makes the node a root.
  const roots: string[] = [];
  for (const n of nodes.values()) {
    const parent = n.parentId !== null && n.parentId !== n.id ? nodes.get(n.parentId) : undefined;
    if (parent) parent.children.push(n.id);
    else roots.push(n.id);
  }
  const causal = (a: string, b: string) => nodes.get(a)!.lamport - nodes.get(b)!.lamport || nodes.get(a)!.firstSeq - nodes.get(b)!.firstSeq;
  roots.sort(causal);

  // Depth-first order (iterative: deep traces must not overflow the stack), depth, failure paths.
  const order: string[] = [];
  const failures: TraceFailure[] = [];
  const failing = (n: TraceNode) => n.status === 'error' || n.status === 'timeout';
  const visited = new Set<string>();
  const stack: { id: string; depth: number; path: string[] }[] = roots.map((id) => ({ id, depth: 0, path: [] })).reverse();
  while (stack.length) {
    const { id, depth, path } = stack.pop()!;
    if (visited.has(id)) continue; // a cycle in bad input must not loop forever
    visited.add(id);
    const n = nodes.get(id)!;
    n.depth = depth;
    order.push(id);
    // A span that names no agent works for its nearest ancestor's (parents come first in this order).
    const parent = n.parentId ? nodes.get(n.parentId) : undefined;
    if (parent && n.kind === 'span' && ownAgentOf(n.agent, n.attributes) === null) {
      n.agent = parent.agent;
      n.agentInherited = true;
    }
    // The session, likewise, is the nearest ancestor's when a span names none.
    if (parent && !n.sessionId) n.sessionId = parent.sessionId;
    const here = [...path, id];
    if (failing(n)) failures.push({ nodeId: id, path: here, rootCause: true });
    n.children.sort(causal);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push({ id: n.children[i], depth: depth + 1, path: here });
  }
  for (const f of failures) {
    for (const id of f.path) nodes.get(id)!.onFailurePath = true;
    // A failure is a root cause unless a failing node lies below it.
    f.rootCause = !failures.some((g) => g !== f && g.path.length > f.path.length && g.path[f.path.length - 1] === f.nodeId);
  }

  const all = [...nodes.values()];
  for (const n of all) n.cost = options.prices ? costOf(options.prices, n.model, n.usage) : null;
  const rollup = rollUpUsage(order, nodes);
  const sessions = new Set<string>();
  // Agents as attributed: a service name that stood in for inherited spans is not an agent.
  agents.clear();
  for (const n of all) {
    if (n.caller) agents.add(n.caller);
    if (n.sessionId) sessions.add(n.sessionId);
    agents.add(n.agent);
  }
  const status: NodeStatus = failures.length ? (failures.some((f) => nodes.get(f.nodeId)!.status === 'error') ? 'error' : 'timeout') : all.some((n) => n.status === 'running' && n.kind !== 'stream') ? 'running' : 'ok';
  return {
    traceId,
    nodes: toNullProto(nodes),
    roots,
    order,
    start: Number.isFinite(start) ? start : 0,
    end: Number.isFinite(end) ? end : 0,
    status,
    agents: [...agents].sort(),
    tokens: all.reduce((s, n) => s + n.tokens, 0),
    events: acc.events,
    failures,
    headSeq,
    ...rollup,
    sessions: [...sessions].sort(),
  };
}
