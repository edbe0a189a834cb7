/**
 * Pure: the force graph's nodes and links from the overview — agents as nodes, calls and
 * broadcast topics as links — after the view's filters (state, topic), with agents grouped
 * by name prefix when there are too many to read one by one.
 */
import type { AgentStatus } from '../model/swarmModel';
import { edgeKey } from '../model/keys';
import type { AgentView, EdgeView } from '../client/overviewState';

export interface GraphNode {
  id: string;
  label: string;
  kind: 'agent' | 'topic' | 'group';
  status: AgentStatus;
  /** Drawing radius, from activity. */
  radius: number;
  tokens: number;
  inflight: number;
  errors: number;
  load: { active: number; max: number } | null;
  /** Agents inside a group node. */
  members: number;
}

export interface GraphLink {
  id: string;
  source: string;
  target: string;
  kind: 'call' | 'topic';
  calls: number;
  inflight: number;
  errors: number;
}

export interface GraphFilters {
  states?: ReadonlySet<AgentStatus>;
  topic?: string | null;
  /** Group agents by name prefix: 'auto' groups past `groupThreshold` agents. */
  group?: 'auto' | 'always' | 'never';
  groupThreshold?: number;
}

const SEVERITY: AgentStatus[] = ['gone', 'idle', 'working', 'streaming', 'error'];

export function prefixOf(name: string): string {
  const m = /^[^-.:/_@]+/.exec(name);
  return m && m[0] !== name ? m[0] : name;
}

export function radiusFor(tokens: number, callsIn: number, members = 1): number {
  return Math.min(28, 5 + Math.sqrt(Math.log1p(tokens) * 4 + callsIn) + Math.sqrt(members) * 1.5);
}

/**
 * Node ids: an agent's id is its name; a topic's is `#topic` and a group's `prefix*` — `#` and
 * `*` cannot occur in names, so an agent named `topic:x` or `group:y` never takes their place.
 */
export const topicNodeId = (topic: string) => `#${topic}`;
export const groupNodeId = (prefix: string) => `${prefix}*`;

/** Ungrouped nodes by the AgentView they were made from (see buildGraph). Shared: never mutate one. */
const agentNodes = new WeakMap<AgentView, GraphNode>();

function agentNode(a: AgentView): GraphNode {
  return { id: a.name, label: a.name, kind: 'agent', status: a.status, radius: radiusFor(a.tokens, a.inflight, 1), tokens: a.tokens, inflight: a.inflight, errors: a.errors, load: a.load, members: 1 };
}

/** The graph's nodes and links. Nodes may be shared between calls (ungrouped agents): read them, never mutate them. */
export function buildGraph(agents: ReadonlyMap<string, AgentView>, edges: ReadonlyMap<string, EdgeView>, filters: GraphFilters = {}): { nodes: GraphNode[]; links: GraphLink[]; grouped: boolean } {
  let visible = [...agents.values()];
  if (filters.states?.size) visible = visible.filter((a) => filters.states!.has(a.status));
  const edgeList = [...edges.values()];
  if (filters.topic) {
    const onTopic = new Set(edgeList.filter((e) => e.kind === 'topic' && e.from === filters.topic).map((e) => e.to));
    visible = visible.filter((a) => onTopic.has(a.name));
  }
  const group = filters.group ?? 'auto';
  const grouped = group === 'always' || (group === 'auto' && visible.length > (filters.groupThreshold ?? 300));

  if (!grouped) {
    // One agent, one node, a function of its AgentView alone. The store keeps the view object of
    // every agent a delta did not touch, so those nodes are reused, not rebuilt (20,000 agents, 2
    // deltas a second). A node's id is its agent's name: no name → id map to build per delta.
    const agentList = visible.map((a) => {
      let n = agentNodes.get(a);
      if (!n) agentNodes.set(a, (n = agentNode(a)));
      return n;
    });
    const shown = visible.length === agents.size ? null : new Set(visible.map((a) => a.name));
    return linked(agentList, (name) => ((shown ? shown.has(name) : agents.has(name)) ? name : undefined), edgeList, false);
  }

  const nodeOf = new Map<string, string>(); // agent name → node id
  const nodes = new Map<string, GraphNode>();
  for (const a of visible) {
    const id = groupNodeId(prefixOf(a.name));
    nodeOf.set(a.name, id);
    const n = nodes.get(id);
    if (!n) {
      nodes.set(id, {
        id,
        label: id,
        kind: 'group',
        status: a.status,
        radius: 0,
        tokens: a.tokens,
        inflight: a.inflight,
        errors: a.errors,
        load: a.load,
        members: 1,
      });
    } else {
      n.members++;
      n.tokens += a.tokens;
      n.inflight += a.inflight;
      n.errors += a.errors;
      if (SEVERITY.indexOf(a.status) > SEVERITY.indexOf(n.status)) n.status = a.status;
      n.load = n.load && a.load ? { active: n.load.active + a.load.active, max: n.load.max + a.load.max } : (n.load ?? a.load);
    }
  }
  for (const n of nodes.values()) n.radius = radiusFor(n.tokens, n.inflight, n.members);
  return linked([...nodes.values()], (name) => nodeOf.get(name), edgeList, true);
}

/** The links between the nodes (`nodeOf`: an agent's node id, undefined when not shown), and the topic nodes they need, after `nodes`. */
function linked(nodes: GraphNode[], nodeOf: (agent: string) => string | undefined, edgeList: readonly EdgeView[], grouped: boolean): { nodes: GraphNode[]; links: GraphLink[]; grouped: boolean } {
  // Topic ids (`#…`) never equal an agent's or a group's id (see topicNodeId).
  const topics = new Map<string, GraphNode>();
  const links = new Map<string, GraphLink>();
  for (const e of edgeList) {
    if (e.kind === 'call') {
      const s = nodeOf(e.from);
      const t = nodeOf(e.to);
      if (!s || !t || s === t) continue;
      const id = edgeKey('call', s, t);
      const l = links.get(id) ?? { id, source: s, target: t, kind: 'call' as const, calls: 0, inflight: 0, errors: 0 };
      l.calls += e.calls;
      l.inflight += e.inflight;
      l.errors += e.errors;
      links.set(id, l);
    } else {
      const t = nodeOf(e.to);
      if (!t) continue;
      const topicId = topicNodeId(e.from);
      if (!topics.has(topicId)) topics.set(topicId, { id: topicId, label: topicId, kind: 'topic', status: 'idle', radius: 4, tokens: 0, inflight: 0, errors: 0, load: null, members: 0 });
      const id = edgeKey('topic', topicId, t);
      const l = links.get(id) ?? { id, source: t, target: topicId, kind: 'topic' as const, calls: 0, inflight: 0, errors: 0 };
      l.calls += e.calls;
      links.set(id, l);
    }
  }
  if (topics.size) for (const t of topics.values()) nodes.push(t);
  return { nodes, links: [...links.values()], grouped };
}

/** Case-insensitive substring search over node labels. */
export function matchNodes(nodes: readonly GraphNode[], query: string): string[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  return nodes.filter((n) => n.label.toLowerCase().includes(q)).map((n) => n.id);
}
