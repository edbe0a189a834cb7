/**
 * Reconstructs one Neural Trace from its events: the causal tree of calls and spans (nested
 * by parent span), each node with its agent, name, timing, status, assembled token text,
 * usage and attributes, plus the path from the root to every failure — "who asked whom,
 * what each produced, where it went wrong". Pure and linear in the number of events, so a
 * trace of 1,000 spans and 100,000 tokens rebuilds in milliseconds.
 */
import type { Attributes, XrayEvent } from '../protocol/events';

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
  text: string;
  tokens: number;
  usage: { input: number | null; output: number | null };
  model: string | null;
  operation: string | null;
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
  nodes: Record<string, TraceNode>;
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
    usage: { input: null, output: null },
    model: null,
    operation: null,
    attributes: {},
    children: [],
    depth: 0,
    lamport: e.lamport,
    firstSeq: e.seq,
    lastSeq: e.seq,
    onFailurePath: false,
  };
}

function applyGenAi(node: TraceNode, attrs: Attributes | undefined): void {
  if (!attrs) return;
  Object.assign(node.attributes, attrs);
  node.usage.input = num(attrs['gen_ai.usage.input_tokens']) ?? node.usage.input;
  node.usage.output = num(attrs['gen_ai.usage.output_tokens']) ?? node.usage.output;
  node.model = str(attrs['gen_ai.request.model']) ?? str(attrs['gen_ai.response.model']) ?? node.model;
  node.operation = str(attrs['gen_ai.operation.name']) ?? node.operation;
  const agentName = str(attrs['gen_ai.agent.name']);
  if (agentName && node.kind === 'span') node.agent = agentName;
}

export function buildTrace(traceId: string, events: readonly XrayEvent[]): TraceTree {
  const nodes: Record<string, TraceNode> = {};
  // Token text per node, as chunks keyed by index when given (agents may retry out of order).
  const chunks = new Map<string, { index: number; seq: number; text: string }[]>();
  let start = Infinity;
  let end = -Infinity;
  let headSeq = 0;
  const agents = new Set<string>();

  const node = (id: string, kind: TraceNode['kind'], e: XrayEvent): TraceNode => {
    let n = nodes[id];
    if (!n) nodes[id] = n = newNode(id, kind, e);
    else if (n.kind === 'stream' && kind !== 'stream') n.kind = kind; // tokens arrived before the span opened
    n.lastSeq = Math.max(n.lastSeq, e.seq);
    return n;
  };

  for (const e of events) {
    if (e.trace_id !== traceId) continue;
    const time = e.t ?? e.ts;
    start = Math.min(start, time);
    end = Math.max(end, time);
    headSeq = Math.max(headSeq, e.seq);
    agents.add(e.agent);
    if (e.peer) agents.add(e.peer);
    const spanId = e.span_id ?? `stream:${e.agent}`;
    switch (e.kind) {
      case 'call.request': {
        const n = node(spanId, 'call', e);
        n.name = e.data.method;
        n.agent = e.peer ?? e.agent;
        n.caller = e.agent;
        n.parentId = e.parent_span_id;
        n.request = e.data.payload;
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
        applyGenAi(n, e.data.attributes);
        break;
      }
      case 'span.end': {
        const n = node(spanId, 'span', e);
        n.end = time;
        n.status = e.data.status === 'error' ? 'error' : 'ok';
        if (e.data.error) n.error = e.data.error;
        applyGenAi(n, e.data.attributes);
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
        let list = chunks.get(spanId);
        if (!list) chunks.set(spanId, (list = []));
        list.push({ index: e.data.index ?? -1, seq: e.seq, text: e.data.text });
        break;
      }
      default:
        break;
    }
  }

  for (const [id, list] of chunks) {
    // Only sort when indices are present and out of order: the common case is already in order.
    let sorted = true;
    for (let i = 1; i < list.length; i++) if (list[i].index >= 0 && list[i].index < list[i - 1].index) sorted = false;
    if (!sorted) list.sort((a, b) => a.index - b.index || a.seq - b.seq);
    nodes[id].text = list.map((c) => c.text).join('');
  }

  // Link children; a parent that is not in this trace makes the node a root.
  const roots: string[] = [];
  for (const n of Object.values(nodes)) {
    if (n.parentId && nodes[n.parentId] && n.parentId !== n.id) nodes[n.parentId].children.push(n.id);
    else roots.push(n.id);
  }
  const causal = (a: string, b: string) => nodes[a].lamport - nodes[b].lamport || nodes[a].firstSeq - nodes[b].firstSeq;
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
    const n = nodes[id];
    n.depth = depth;
    order.push(id);
    const here = [...path, id];
    if (failing(n)) failures.push({ nodeId: id, path: here, rootCause: true });
    n.children.sort(causal);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push({ id: n.children[i], depth: depth + 1, path: here });
  }
  for (const f of failures) {
    for (const id of f.path) nodes[id].onFailurePath = true;
    // A failure is a root cause unless a failing node lies below it.
    f.rootCause = !failures.some((g) => g !== f && g.path.length > f.path.length && g.path[f.path.length - 1] === f.nodeId);
  }

  const all = Object.values(nodes);
  const status: NodeStatus = failures.length ? (failures.some((f) => nodes[f.nodeId].status === 'error') ? 'error' : 'timeout') : all.some((n) => n.status === 'running' && n.kind !== 'stream') ? 'running' : 'ok';
  return {
    traceId,
    nodes,
    roots,
    order,
    start: Number.isFinite(start) ? start : 0,
    end: Number.isFinite(end) ? end : 0,
    status,
    agents: [...agents].sort(),
    tokens: all.reduce((s, n) => s + n.tokens, 0),
    events: events.length,
    failures,
    headSeq,
  };
}
