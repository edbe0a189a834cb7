/** Test helper: a TraceTree from a compact table of nodes (id, parent, agent, name, start, end, status). */
import { zeroUsage } from './usageRollup';
import type { NodeStatus, TraceNode, TraceTree } from './buildTrace';

export interface FixtureNode {
  id: string;
  parent?: string;
  agent: string;
  name?: string;
  caller?: string;
  kind?: TraceNode['kind'];
  start: number;
  end: number | null;
  status?: NodeStatus;
  text?: string;
  tokens?: number;
}

export function treeOf(rows: FixtureNode[], traceId = 't'.repeat(32)): TraceTree {
  const nodes: Record<string, TraceNode> = {};
  rows.forEach((r, i) => {
    nodes[r.id] = {
      id: r.id,
      parentId: r.parent ?? null,
      kind: r.kind ?? (r.caller ? 'call' : 'span'),
      name: r.name ?? 'process',
      agent: r.agent,
      caller: r.caller ?? null,
      start: r.start,
      end: r.end,
      status: r.status ?? (r.end === null ? 'running' : 'ok'),
      error: null,
      request: null,
      response: null,
      text: r.text ?? '',
      tokens: r.tokens ?? 0,
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
      attributes: {},
      children: [],
      depth: 0,
      lamport: i,
      firstSeq: i,
      lastSeq: i,
      onFailurePath: false,
    };
  });
  const roots: string[] = [];
  for (const r of rows) (r.parent ? nodes[r.parent].children : roots).push(r.id);
  const order: string[] = [];
  const visit = (id: string, depth: number) => {
    nodes[id].depth = depth;
    order.push(id);
    for (const c of nodes[id].children) visit(c, depth + 1);
  };
  for (const r of roots) visit(r, 0);
  const failures = rows.filter((r) => r.status === 'error' || r.status === 'timeout').map((r) => {
    const path: string[] = [];
    for (let id: string | null = r.id; id; id = nodes[id].parentId) path.unshift(id);
    return { nodeId: r.id, path, rootCause: !rows.some((o) => o.id !== r.id && (o.status === 'error' || o.status === 'timeout') && isBelow(nodes, o.id, r.id)) };
  });
  for (const f of failures) for (const id of f.path) nodes[id].onFailurePath = true;
  const ends = rows.map((r) => r.end ?? r.start);
  return {
    traceId,
    nodes,
    roots,
    order,
    start: Math.min(...rows.map((r) => r.start)),
    end: Math.max(...ends),
    status: failures.length ? 'error' : 'ok',
    agents: [...new Set(rows.flatMap((r) => (r.caller ? [r.caller, r.agent] : [r.agent])))].sort(),
    tokens: rows.reduce((s, r) => s + (r.tokens ?? 0), 0),
    events: rows.length,
    failures,
    headSeq: rows.length,
    usage: zeroUsage(),
    byAgent: [],
    byModel: [],
    sessions: [],
  };
}

function isBelow(nodes: Record<string, TraceNode>, id: string, ancestor: string): boolean {
  for (let p = nodes[id].parentId; p; p = nodes[p].parentId) if (p === ancestor) return true;
  return false;
}
