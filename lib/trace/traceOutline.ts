/**
 * A trace's outline: the reconstructed tree without the token text, which is most of its
 * bytes (a 1,000-span / 100,000-token trace is text above all). The trace page draws the
 * waterfall, the critical path, the graph and the failure list from the outline and loads
 * the text of the one node it shows from `/api/traces/:id/text`. Each node keeps how much
 * text it has (`textChars`); nodes on a failure path keep a short preview (the failure list
 * quotes what they produced). Pure: the server splits a built tree once and caches both parts.
 */
import { nullProto, type TraceNode, type TraceTree } from './buildTrace';
import { TEXT_CHARS_DEFAULT } from '../protocol/traceText';

/** Characters of text a failure-path node keeps in the outline (the failure list shows 140). */
export const PREVIEW_CHARS = 160;

export interface TraceSplit {
  outline: TraceTree;
  /** Assembled text by node id, only for nodes that have any. */
  texts: Map<string, string>;
}

/** The node a trace page selects first: the root cause of the first failure, else the first row. */
export function firstSelection(tree: Pick<TraceTree, 'failures' | 'order'>): string | null {
  return tree.failures.find((f) => f.rootCause)?.nodeId ?? tree.order[0] ?? null;
}

/**
 * The outline carries the text of the node the page shows first (`first`, as of the outline's
 * `headSeq`), so the first screen needs no second request.
 */
export function splitTrace(tree: TraceTree, previewChars = PREVIEW_CHARS): TraceSplit {
  const texts = new Map<string, string>();
  const nodes = nullProto<TraceNode>();
  for (const id of Object.keys(tree.nodes)) {
    const n = tree.nodes[id];
    if (n.text) texts.set(id, n.text);
    nodes[id] = { ...n, text: '', textChars: n.text.length, preview: n.onFailurePath && n.text ? n.text.slice(0, previewChars) : undefined };
  }
  const firstId = firstSelection(tree);
  const text = firstId ? (texts.get(firstId) ?? '') : '';
  const first = firstId ? { id: firstId, text: text.slice(0, TEXT_CHARS_DEFAULT), chars: text.length, truncated: text.length > TEXT_CHARS_DEFAULT } : undefined;
  return { outline: { ...tree, nodes, outline: true, first }, texts };
}

/** Ids of nodes whose text contains `query` (case-insensitively), in waterfall order. */
export function searchTexts(order: readonly string[], texts: ReadonlyMap<string, string>, query: string): string[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  return order.filter((id) => texts.get(id)?.toLowerCase().includes(q));
}
