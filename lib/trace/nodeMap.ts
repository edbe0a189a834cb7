/**
 * The trace's nodes as a Map, whatever shape the tree arrived in. The API sends the tree as
 * JSON (a plain object keyed by span id, which comes from agents); views index it through a
 * Map once, so no lookup ever touches an inherited key such as `__proto__`.
 */
import type { TraceNode, TraceTree } from './buildTrace';

export type NodeMap = ReadonlyMap<string, TraceNode>;

export function traceNodes(tree: Pick<TraceTree, 'nodes'>): NodeMap {
  const nodes = tree.nodes as unknown;
  if (nodes instanceof Map) return nodes as NodeMap;
  return new Map(Object.entries(nodes as Record<string, TraceNode>));
}

/** A node's end, or `fallback` (the trace's end) while it is still running. */
export const endOf = (n: TraceNode, fallback: number): number => n.end ?? Math.max(n.start, fallback);
