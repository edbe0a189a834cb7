/**
 * Pure: the messages between the swarm graph and its layout worker, and the packing on both
 * sides. The worker owns the d3-force simulation; the page owns the nodes it draws. Nodes
 * travel as an id list (in the page's order) with typed arrays beside it, and positions come
 * back as one Float32Array [x0, y0, x1, y1, …] in that same order, transferred, not copied.
 * `version` names the node order a positions array belongs to, so the page never applies a
 * reply meant for an older list.
 */

export const LINK_CALL = 0;
export const LINK_TOPIC = 1;

export interface GraphMessage {
  type: 'graph';
  version: number;
  ids: string[];
  radius: Float32Array;
  /** Link endpoints as node indexes: [s0, t0, s1, t1, …]. */
  links: Uint32Array;
  /** LINK_CALL or LINK_TOPIC per link. */
  linkKinds: Uint8Array;
  /** Whether the node or link set changed (the layout reheats and, when big, warms up). */
  structural: boolean;
}

export type ToLayout =
  | GraphMessage
  | { type: 'pin'; id: string; x: number; y: number }
  | { type: 'unpin'; id: string }
  | { type: 'stop' };

export type FromLayout =
  | { type: 'positions'; version: number; xy: Float32Array }
  /** Progress of an off-screen warm-up of a large graph, 0–100; null when done. */
  | { type: 'warmup'; pct: number | null };

export interface LayoutNodeIn {
  id: string;
  radius: number;
}

export interface LayoutLinkIn {
  source: string;
  target: string;
  kind: 'call' | 'topic';
}

/** The graph message for these nodes and links; links whose ends are not in `nodes` are dropped. */
export function packGraph(version: number, nodes: readonly LayoutNodeIn[], links: readonly LayoutLinkIn[], structural: boolean): GraphMessage {
  const index = new Map<string, number>();
  const ids = new Array<string>(nodes.length);
  const radius = new Float32Array(nodes.length);
  nodes.forEach((n, i) => {
    index.set(n.id, i);
    ids[i] = n.id;
    radius[i] = n.radius;
  });
  const ends: number[] = [];
  const kinds: number[] = [];
  for (const l of links) {
    const s = index.get(l.source);
    const t = index.get(l.target);
    if (s === undefined || t === undefined) continue;
    ends.push(s, t);
    kinds.push(l.kind === 'topic' ? LINK_TOPIC : LINK_CALL);
  }
  return { type: 'graph', version, ids, radius, links: Uint32Array.from(ends), linkKinds: Uint8Array.from(kinds), structural };
}

/** Whether two lists hold the same ids in the same order (the positions array is indexed by it). */
export function sameOrder(a: readonly { id: string }[], b: readonly { id: string }[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].id !== b[i].id) return false;
  return true;
}

/**
 * Writes positions [x0, y0, …] into the nodes, in order, and returns the largest distance a
 * node moved (Infinity when one had no position yet), so the page can skip redrawing
 * sub-pixel motion. Returns -1 (and writes nothing) when the lengths disagree.
 */
export function applyPositions(nodes: readonly { x?: number; y?: number }[], xy: Float32Array): number {
  if (xy.length !== nodes.length * 2) return -1;
  let moved2 = 0;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    const x = xy[2 * i];
    const y = xy[2 * i + 1];
    if (n.x === undefined || n.y === undefined) moved2 = Infinity;
    else moved2 = Math.max(moved2, (x - n.x) * (x - n.x) + (y - n.y) * (y - n.y));
    n.x = x;
    n.y = y;
  }
  return Math.sqrt(moved2);
}

/** Packs the simulation's node positions into a fresh array (to be transferred). */
export function packPositions(nodes: readonly { x?: number; y?: number }[]): Float32Array {
  const xy = new Float32Array(nodes.length * 2);
  for (let i = 0; i < nodes.length; i++) {
    xy[2 * i] = nodes[i].x ?? 0;
    xy[2 * i + 1] = nodes[i].y ?? 0;
  }
  return xy;
}
