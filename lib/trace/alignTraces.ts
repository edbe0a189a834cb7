/**
 * Aligns two traces by structure, Jaeger-compare style but by meaning rather than span id:
 * nodes match when they sit at the same path of (caller → agent · method) steps from the
 * root, the k-th such sibling with the k-th. Each aligned row says what differs: status,
 * duration (beyond a relative and an absolute margin), token count, text, or that the node
 * exists on one side only.
 */
import type { TraceNode, TraceTree } from './buildTrace';
import { endOf, traceNodes, type NodeMap } from './nodeMap';

export type Difference = 'status' | 'duration' | 'tokens' | 'text' | 'only-a' | 'only-b';

export interface AlignedRow {
  /** The structural path, e.g. `rest→planner·process/planner·llm.chat#0`. */
  key: string;
  depth: number;
  a: TraceNode | null;
  b: TraceNode | null;
  diffs: Difference[];
}

export interface AlignOptions {
  /** A duration differs when |a−b| exceeds this share of the longer one… */
  durationRatio: number;
  /** …and this many ms (tiny spans jitter). */
  durationMinMs: number;
}

const DEFAULTS: AlignOptions = { durationRatio: 0.25, durationMinMs: 20 };

export const stepLabel = (n: TraceNode): string => `${n.caller ? `${n.caller}→` : ''}${n.agent}·${n.name}`;

function diffOf(a: TraceNode, b: TraceNode, ta: TraceTree, tb: TraceTree, o: AlignOptions): Difference[] {
  const d: Difference[] = [];
  if (a.status !== b.status) d.push('status');
  const da = endOf(a, ta.end) - a.start;
  const db = endOf(b, tb.end) - b.start;
  const gap = Math.abs(da - db);
  if (gap > o.durationMinMs && gap > o.durationRatio * Math.max(da, db)) d.push('duration');
  if (a.tokens !== b.tokens) d.push('tokens');
  if (a.text !== b.text) d.push('text');
  return d;
}

/** Pairs two sibling lists: same label, k-th with k-th; A's order first, B-only siblings after. */
function pairSiblings(as: readonly string[], bs: readonly string[], na: NodeMap, nb: NodeMap): [string | null, string | null, string][] {
  const bByLabel = new Map<string, string[]>();
  for (const id of bs) {
    const l = stepLabel(nb.get(id)!);
    let list = bByLabel.get(l);
    if (!list) bByLabel.set(l, (list = []));
    list.push(id);
  }
  const seen = new Map<string, number>();
  const used = new Set<string>();
  const out: [string | null, string | null, string][] = [];
  for (const id of as) {
    const l = stepLabel(na.get(id)!);
    const k = seen.get(l) ?? 0;
    seen.set(l, k + 1);
    const match = bByLabel.get(l)?.[k] ?? null;
    if (match) used.add(match);
    out.push([id, match, `${l}#${k}`]);
  }
  const seenB = new Map<string, number>();
  for (const id of bs) {
    const l = stepLabel(nb.get(id)!);
    const k = seenB.get(l) ?? 0;
    seenB.set(l, k + 1);
    if (!used.has(id)) out.push([null, id, `${l}#${k}`]);
  }
  return out;
}

export function alignTraces(ta: TraceTree, tb: TraceTree, options: Partial<AlignOptions> = {}): AlignedRow[] {
  const o = { ...DEFAULTS, ...options };
  const na = traceNodes(ta);
  const nb = traceNodes(tb);
  const rows: AlignedRow[] = [];
  // Depth-first with an explicit stack (deep traces must not overflow the call stack).
  type Frame = { a: string | null; b: string | null; key: string; depth: number };
  const stack: Frame[] = pairSiblings(ta.roots, tb.roots, na, nb)
    .map(([a, b, key]) => ({ a, b, key, depth: 0 }))
    .reverse();
  const visited = new Set<string>();
  while (stack.length) {
    const f = stack.pop()!;
    const a = f.a ? na.get(f.a)! : null;
    const b = f.b ? nb.get(f.b)! : null;
    const guard = `${f.a ?? ''}|${f.b ?? ''}`;
    if (visited.has(guard)) continue; // cycles in hostile input
    visited.add(guard);
    rows.push({ key: f.key, depth: f.depth, a, b, diffs: a && b ? diffOf(a, b, ta, tb, o) : [a ? 'only-a' : 'only-b'] });
    const kids = pairSiblings(a?.children ?? [], b?.children ?? [], na, nb);
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ a: kids[i][0], b: kids[i][1], key: `${f.key}/${kids[i][2]}`, depth: f.depth + 1 });
  }
  return rows;
}

/** How many aligned rows carry each kind of difference. */
export function diffCounts(rows: readonly AlignedRow[]): Map<Difference, number> {
  const out = new Map<Difference, number>();
  for (const r of rows) for (const d of r.diffs) out.set(d, (out.get(d) ?? 0) + 1);
  return out;
}

/** Where two texts start to differ (the length of their common prefix), or null when equal. */
export function divergenceAt(a: string, b: string): number | null {
  if (a === b) return null;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}
