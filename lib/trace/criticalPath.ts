/**
 * The critical path of a trace, Jaeger-style: the chain of work that determines when the
 * trace ends. Start at the root that finishes last; within a node, walk back from its end:
 * the child that finished last (before the point we are walking back from) was what the
 * node waited for, so the path descends into it; once that child's own path is done, resume
 * in the parent before the child started. Time not covered by a child is the node's own work.
 *
 * Children are first clipped to their parent's interval (clock skew between agents must not
 * make a child "outlast" the parent that waited for it). Iterative: deep traces must not
 * overflow the stack.
 */
import type { TraceTree } from './buildTrace';
import { endOf, traceNodes, type NodeMap } from './nodeMap';

export interface CriticalSegment {
  nodeId: string;
  start: number;
  end: number;
}

export interface CriticalPath {
  /** Time slices on the critical path, latest first (as walked back from the end). */
  segments: CriticalSegment[];
  /** Every node that owns at least one slice. */
  nodes: Set<string>;
}

interface Span {
  start: number;
  end: number;
}

/** Each node's interval, clipped into its parent's; null when it lies wholly outside. */
function clippedSpans(tree: TraceTree, nodes: NodeMap): Map<string, Span | null> {
  const out = new Map<string, Span | null>();
  for (const id of tree.order) {
    // `order` is depth-first, so a parent is always clipped before its children.
    const n = nodes.get(id)!;
    const own = { start: n.start, end: endOf(n, tree.end) };
    const parent = n.parentId ? out.get(n.parentId) : undefined;
    if (!parent) {
      out.set(id, parent === null ? null : own);
      continue;
    }
    const start = Math.max(own.start, parent.start);
    const end = Math.min(own.end, parent.end);
    out.set(id, end < start || own.start > parent.end ? null : { start, end });
  }
  return out;
}

export function criticalPath(tree: TraceTree): CriticalPath {
  const nodes = traceNodes(tree);
  const spans = clippedSpans(tree, nodes);
  const segments: CriticalSegment[] = [];
  const onPath = new Set<string>();
  let root: string | null = null;
  for (const id of tree.roots) {
    const s = spans.get(id);
    if (s && (root === null || s.end > spans.get(root)!.end)) root = id;
  }
  if (root === null) return { segments, nodes: onPath };

  const push = (nodeId: string, start: number, end: number) => {
    if (end > start) segments.push({ nodeId, start, end });
    onPath.add(nodeId);
  };
  /** The child of `id` that finished last, strictly before `before` when given. */
  const lastFinishing = (id: string, before: number | null): string | null => {
    let best: string | null = null;
    let bestEnd = -Infinity;
    for (const c of nodes.get(id)!.children) {
      const s = spans.get(c);
      if (!s || (before !== null && s.end >= before)) continue;
      if (s.end > bestEnd) {
        best = c;
        bestEnd = s.end;
      }
    }
    return best;
  };

  let current: string = root;
  // Where we re-entered `current` from a finished child: walk back from that child's start.
  let returning: number | null = null;
  for (let guard = 0; guard < tree.order.length * 4 + 8; guard++) {
    const span = spans.get(current)!;
    const until = returning ?? span.end;
    const child = lastFinishing(current, returning);
    if (child) {
      push(current, spans.get(child)!.end, until);
      current = child;
      returning = null;
      continue;
    }
    push(current, span.start, until);
    const parent = nodes.get(current)!.parentId;
    if (!parent || !spans.get(parent)) break;
    returning = span.start;
    current = parent;
  }
  return { segments, nodes: onPath };
}
