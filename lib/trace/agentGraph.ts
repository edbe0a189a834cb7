/**
 * One trace drawn as agents and the calls between them (Langfuse's agent graph, for a swarm):
 * a node per agent, an edge per (caller → callee) pair with call count, latencies, failures
 * and the spans behind it, plus a layered left-to-right layout (callers before callees).
 * Cross-agent span nesting without a relay call (OTLP services) counts as an edge too.
 */
import type { NodeStatus, TraceNode, TraceTree } from './buildTrace';
import { endOf, traceNodes } from './nodeMap';

export interface AgentGraphNode {
  id: string;
  /** Spans and calls this agent did the work for. */
  work: number;
  tokens: number;
  errors: number;
  onFailurePath: boolean;
  layer: number;
  x: number;
  y: number;
}

export interface EdgeCall {
  nodeId: string;
  start: number;
  end: number;
  status: NodeStatus;
}

export interface AgentGraphEdge {
  id: string;
  source: string;
  target: string;
  kind: 'call' | 'nested';
  methods: string[];
  calls: EdgeCall[];
  failed: number;
  p50Ms: number;
  maxMs: number;
  onFailurePath: boolean;
}

export interface AgentGraph {
  nodes: AgentGraphNode[];
  edges: AgentGraphEdge[];
  /** Layout extent in layout units (x: layers, y: rows). */
  layers: number;
  rows: number;
}

const failing = (s: NodeStatus) => s === 'error' || s === 'timeout';

function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

export function buildAgentGraph(tree: TraceTree): AgentGraph {
  const nodes = traceNodes(tree);
  const agents = new Map<string, AgentGraphNode>();
  const agent = (id: string) => {
    let a = agents.get(id);
    if (!a) agents.set(id, (a = { id, work: 0, tokens: 0, errors: 0, onFailurePath: false, layer: 0, x: 0, y: 0 }));
    return a;
  };
  const edges = new Map<string, AgentGraphEdge & { methodSet: Set<string> }>();
  const edge = (source: string, target: string, kind: AgentGraphEdge['kind']) => {
    const id = `${source}\u2192${target}`;
    let e = edges.get(id);
    if (!e) edges.set(id, (e = { id, source, target, kind, methods: [], methodSet: new Set(), calls: [], failed: 0, p50Ms: 0, maxMs: 0, onFailurePath: false }));
    if (kind === 'call') e.kind = 'call';
    return e;
  };

  // Agents in order of first appearance (waterfall order): a stable, readable layout.
  for (const id of tree.order) {
    const n = nodes.get(id)!;
    let from: string | null = null;
    let kind: AgentGraphEdge['kind'] = 'call';
    if (n.kind === 'call' && n.caller) from = n.caller;
    else if (n.parentId) {
      const parent = nodes.get(n.parentId);
      if (parent && parent.agent !== n.agent) {
        from = parent.agent;
        kind = 'nested';
      }
    }
    if (from) agent(from);
    const a = agent(n.agent);
    if (n.kind !== 'stream') a.work++;
    a.tokens += n.tokens;
    if (failing(n.status)) a.errors++;
    if (n.onFailurePath) a.onFailurePath = true;
    if (!from) continue;
    const e = edge(from, n.agent, kind);
    if (!e.methodSet.has(n.name)) {
      e.methodSet.add(n.name);
      e.methods.push(n.name);
    }
    e.calls.push({ nodeId: n.id, start: n.start, end: endOf(n, tree.end), status: n.status });
    if (failing(n.status)) e.failed++;
    if (n.onFailurePath) e.onFailurePath = true;
  }
  const edgeList: AgentGraphEdge[] = [];
  for (const { methodSet: _, ...e } of edges.values()) {
    const lat = e.calls.filter((c) => c.status !== 'running').map((c) => c.end - c.start);
    edgeList.push({ ...e, p50Ms: median(lat), maxMs: lat.length ? Math.max(...lat) : 0 });
  }
  const { layers, rows } = layout([...agents.values()], edgeList);
  return { nodes: [...agents.values()], edges: edgeList, layers, rows };
}

/**
 * Layered layout: layer = shortest call distance from an agent nobody calls (cycles fall back
 * to the first agent seen); within a layer, agents sorted by the mean row of their callers
 * (one barycentre pass keeps crossings down). Mutates layer/x/y.
 */
function layout(agents: AgentGraphNode[], edges: AgentGraphEdge[]): { layers: number; rows: number } {
  if (!agents.length) return { layers: 0, rows: 0 };
  const out = new Map<string, string[]>();
  const incoming = new Map<string, string[]>();
  for (const a of agents) {
    out.set(a.id, []);
    incoming.set(a.id, []);
  }
  for (const e of edges) {
    if (e.source === e.target) continue;
    out.get(e.source)!.push(e.target);
    incoming.get(e.target)!.push(e.source);
  }
  const layer = new Map<string, number>();
  const queue: string[] = [];
  const seed = (id: string) => {
    layer.set(id, 0);
    queue.push(id);
  };
  for (const a of agents) if (!incoming.get(a.id)!.length) seed(a.id);
  const bfs = () => {
    while (queue.length) {
      const id = queue.shift()!;
      for (const t of out.get(id)!) {
        if (layer.has(t)) continue;
        layer.set(t, layer.get(id)! + 1);
        queue.push(t);
      }
    }
  };
  bfs();
  // Agents only reachable through a cycle: start a new component at the first one unplaced.
  for (const a of agents) {
    if (layer.has(a.id)) continue;
    seed(a.id);
    bfs();
  }
  const byLayer: AgentGraphNode[][] = [];
  for (const a of agents) {
    a.layer = layer.get(a.id)!;
    (byLayer[a.layer] ??= []).push(a);
  }
  const row = new Map<string, number>();
  let rows = 0;
  byLayer.forEach((list, l) => {
    if (l > 0) {
      const bary = new Map<string, number>();
      list.forEach((a, i) => {
        const ys = incoming.get(a.id)!.filter((s) => row.has(s)).map((s) => row.get(s)!);
        bary.set(a.id, ys.length ? ys.reduce((s, y) => s + y, 0) / ys.length : i);
      });
      list.sort((p, q) => bary.get(p.id)! - bary.get(q.id)!);
    }
    list.forEach((a, i) => {
      row.set(a.id, i);
      a.x = l;
      a.y = i - (list.length - 1) / 2;
    });
    rows = Math.max(rows, list.length);
  });
  return { layers: byLayer.length, rows };
}

export type EdgePhase = 'future' | 'active' | 'done';

/** Where an edge stands at a replay playhead: no call started yet, one in flight, or all finished. */
export function edgePhaseAt(edge: Pick<AgentGraphEdge, 'calls'>, playhead: number | null): EdgePhase {
  if (playhead === null) return 'done';
  let started = false;
  for (const c of edge.calls) {
    if (c.start > playhead) continue;
    started = true;
    if (c.end > playhead) return 'active';
  }
  return started ? 'done' : 'future';
}

/** The agents' nodes involved in an edge, for selecting its spans in the waterfall. */
export const edgeNodeIds = (edge: Pick<AgentGraphEdge, 'calls'>): string[] => edge.calls.map((c) => c.nodeId);

export type { TraceNode };
