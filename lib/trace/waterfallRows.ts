/**
 * Pure row logic of the waterfall: which rows show when subtrees are folded, folding past a
 * depth, unfolding the ancestors of a row we jump to, and search within the trace.
 */
import type { TraceTree } from './buildTrace';
import type { NodeMap } from './nodeMap';

/** Rows in depth-first order, skipping every descendant of a folded node. */
export function visibleRows(order: readonly string[], nodes: NodeMap, folded: ReadonlySet<string>): string[] {
  if (!folded.size) return order as string[];
  const out: string[] = [];
  let skipBelow = Infinity; // depth of the folded node whose subtree we are inside
  for (const id of order) {
    const depth = nodes.get(id)!.depth;
    if (depth > skipBelow) continue;
    skipBelow = Infinity;
    out.push(id);
    if (folded.has(id)) skipBelow = depth;
  }
  return out;
}

/** Folds every node at `depth` that has children: the tree stays readable down to that depth. */
export function foldPastDepth(order: readonly string[], nodes: NodeMap, depth: number): Set<string> {
  const out = new Set<string>();
  for (const id of order) {
    const n = nodes.get(id)!;
    if (n.depth === depth && n.children.length) out.add(id);
  }
  return out;
}

/** `folded` without any ancestor of `id`, so that row becomes visible. */
export function unfoldTo(nodes: NodeMap, folded: ReadonlySet<string>, id: string): Set<string> {
  const out = new Set(folded);
  const seen = new Set<string>();
  for (let p = nodes.get(id)?.parentId ?? null; p && !seen.has(p); p = nodes.get(p)?.parentId ?? null) {
    seen.add(p);
    out.delete(p);
  }
  return out;
}

/** Rows (in waterfall order) whose agent, caller, name, span id, error or text contains the query, case-insensitively. */
export function searchTrace(tree: Pick<TraceTree, 'order'>, nodes: NodeMap, query: string): string[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  return tree.order.filter((id) => {
    const n = nodes.get(id)!;
    return [n.agent, n.caller ?? '', n.name, n.id, n.error ?? '', n.text, n.model ?? ''].some((s) => s.toLowerCase().includes(q));
  });
}

/** Next match after (or, backwards, before) the current one, wrapping around. */
export function nextMatch(matches: readonly string[], current: string | null, backwards = false): string | null {
  if (!matches.length) return null;
  const i = current === null ? -1 : matches.indexOf(current);
  if (i < 0) return backwards ? matches[matches.length - 1] : matches[0];
  return matches[(i + (backwards ? -1 : 1) + matches.length) % matches.length];
}
