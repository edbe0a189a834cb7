/** Canvas drawing of the force graph: one pass per animation frame, no allocation per node beyond the path. */
import { placeLabels, type LabelBox } from '../../lib/graph/placeLabels';
import { distanceToSegment, toScreen } from '../../lib/graph/viewport';
import { PIXEL_NODES_FROM, type NodeLayer } from './nodeLayer';

import type { SimLink, SimNode } from './simTypes';

export type { SimLink, SimNode } from './simTypes';

export interface Palette {
  bg: string;
  text: string;
  muted: string;
  border: string;
  idle: string;
  working: string;
  streaming: string;
  error: string;
  gone: string;
  topic: string;
  accent: string;
}

export function readPalette(el: Element): Palette {
  const css = getComputedStyle(el);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    bg: v('--bg', '#0d1117'),
    text: v('--text', '#e6edf3'),
    muted: v('--muted', '#8b949e'),
    border: v('--border', '#30363d'),
    idle: v('--node-idle', '#6e7681'),
    working: v('--warn', '#d29922'),
    streaming: v('--stream', '#a371f7'),
    error: v('--err', '#f85149'),
    gone: v('--border', '#30363d'),
    topic: v('--ok', '#3fb950'),
    accent: v('--accent', '#58a6ff'),
  };
}

export type { View } from '../../lib/graph/viewport';
import type { View } from '../../lib/graph/viewport';

export interface DrawState {
  nodes: SimNode[];
  links: SimLink[];
  view: View;
  width: number;
  height: number;
  dpr: number;
  now: number;
  selected: string | null;
  hovered: string | null;
  matches: Set<string>;
  palette: Palette;
  /** Nodes whose labels fit without overlapping (see chooseLabels); selected/hovered/matched are always labelled. */
  labels: ReadonlySet<string>;
  hoveredLink: string | null;
  /** Large graphs: the discs as pixels (see nodeLayer.ts); absent, every disc is a vector path. */
  nodeLayer?: NodeLayer;
  /** Changes whenever a node's colour may have (store, search, theme); absent: recomputed every frame. */
  colorKey?: string;
  /**
   * Large graphs: the only nodes with a halo, ring or label of their own (decorationCandidates),
   * and a lookup by id for the selected, hovered and labelled ones — so a frame does not walk
   * 20,000 nodes to find the handful that have one. Absent: every node is looked at.
   */
  decorated?: readonly SimNode[];
  nodeById?: (id: string) => SimNode | undefined;
}


export function drawGraph(ctx: CanvasRenderingContext2D, s: DrawState): void {
  const { view, palette: p, now } = s;
  ctx.setTransform(s.dpr, 0, 0, s.dpr, 0, 0);
  ctx.clearRect(0, 0, s.width, s.height);
  ctx.save();
  ctx.translate(s.width / 2 + view.x, s.height / 2 + view.y);
  ctx.scale(view.k, view.k);
  const dim = s.matches.size > 0;

  // Links, then the in-flight calls moving along them.
  ctx.lineWidth = 1 / view.k;
  for (const l of s.links) {
    const a = l.source as SimNode;
    const b = l.target as SimNode;
    if (a.x === undefined || b.x === undefined) continue;
    const hot = l.id === s.hoveredLink;
    ctx.strokeStyle = hot ? p.accent : l.errors > 0 && l.kind === 'call' ? p.error : l.kind === 'topic' ? p.topic : p.muted;
    ctx.globalAlpha = hot ? 1 : l.kind === 'topic' ? 0.35 : dim ? 0.3 : 0.7;
    ctx.lineWidth = (hot ? 3 : l.kind === 'call' ? 1.4 : 1) / view.k;
    ctx.beginPath();
    ctx.moveTo(a.x, a.y!);
    ctx.lineTo(b.x, b.y!);
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
  ctx.fillStyle = p.working;
  for (const l of s.links) {
    if (l.inflight <= 0) continue;
    const a = l.source as SimNode;
    const b = l.target as SimNode;
    if (a.x === undefined || b.x === undefined) continue;
    const dots = Math.min(l.inflight, 5);
    for (let i = 0; i < dots; i++) {
      const t = ((now / 900 + i / dots) % 1 + 1) % 1;
      ctx.beginPath();
      ctx.arc(a.x + (b.x - a.x) * t, a.y! + (b.y! - a.y!) * t, 2.5 / Math.sqrt(view.k), 0, Math.PI * 2);
      ctx.fill();
    }
  }

  if (s.nodeLayer && s.nodes.length >= PIXEL_NODES_FROM) drawNodePixels(s.nodeLayer, ctx, s, dim);
  else drawNodePaths(ctx, s, dim);
  drawDecorations(ctx, s);
  drawLabels(ctx, s);
  ctx.restore();
}

function nodeAlpha(s: DrawState, n: SimNode, dim: boolean): number {
  return dim && !s.matches.has(n.id) ? 0.2 : n.status === 'gone' ? 0.45 : 1;
}

function drawNodePixels(layer: NodeLayer, ctx: CanvasRenderingContext2D, s: DrawState, dim: boolean): void {
  const p = s.palette;
  // A handful of distinct colours: pack each once per frame, not once per node.
  const packed = new Map<string, number>();
  layer.draw(ctx, s.nodes, s.view, s.width, s.height, s.dpr, s.colorKey ?? `frame ${s.now}`, (n) => {
    const css = n.kind === 'topic' ? p.topic : p[n.status];
    const alpha = nodeAlpha(s, n, dim);
    const key = alpha === 1 ? css : `${css}|${alpha}`;
    let c = packed.get(key);
    if (c === undefined) packed.set(key, (c = layer.color(css, alpha)));
    return c;
  });
}

/** Nodes: one path and one fill per colour and opacity (a handful of fills per frame, not one per node — software canvas cost is per fill). */
function drawNodePaths(ctx: CanvasRenderingContext2D, s: DrawState, dim: boolean): void {
  const p = s.palette;
  const batches = new Map<string, { color: string; alpha: number; nodes: SimNode[] }>();
  for (const n of s.nodes) {
    if (n.x === undefined) continue;
    const alpha = nodeAlpha(s, n, dim);
    const color = n.kind === 'topic' ? p.topic : p[n.status];
    const key = `${color}|${alpha}`;
    let b = batches.get(key);
    if (!b) batches.set(key, (b = { color, alpha, nodes: [] }));
    b.nodes.push(n);
  }
  for (const b of batches.values()) {
    ctx.globalAlpha = b.alpha;
    ctx.fillStyle = b.color;
    ctx.beginPath();
    for (const n of b.nodes) {
      if (n.kind === 'topic') ctx.rect(n.x! - n.radius, n.y! - n.radius, n.radius * 2, n.radius * 2);
      else {
        ctx.moveTo(n.x! + n.radius, n.y!);
        ctx.arc(n.x!, n.y!, n.radius, 0, Math.PI * 2);
      }
    }
    ctx.fill();
  }
  ctx.globalAlpha = 1;
}

/** Error halos, group rings, load rings, the selected and hovered rings: only where they apply. */
function drawDecorations(ctx: CanvasRenderingContext2D, s: DrawState): void {
  const { view, palette: p, now } = s;
  for (const n of s.decorated ?? s.nodes) {
    if (n.x === undefined) continue;
    if (n.flashUntil && n.flashUntil > now) {
      // Error flash: a pulsing halo for two seconds after the error count rose.
      const phase = (n.flashUntil - now) / 2000;
      ctx.strokeStyle = p.error;
      ctx.lineWidth = 3 / view.k;
      ctx.globalAlpha = 0.35 + 0.5 * Math.abs(Math.sin(phase * Math.PI * 4));
      ctx.beginPath();
      ctx.arc(n.x, n.y!, n.radius + 6, 0, Math.PI * 2);
      ctx.stroke();
      ctx.globalAlpha = 1;
    }
    if (n.kind === 'group') {
      ctx.strokeStyle = p.text;
      ctx.lineWidth = 1.5 / view.k;
      ctx.beginPath();
      ctx.arc(n.x, n.y!, n.radius, 0, Math.PI * 2);
      ctx.stroke();
    }
    if (n.load && n.load.max > 0 && n.load.active > 0) {
      // Load ring from swarm.health: the filled arc is activeTasks / maxTasks.
      ctx.strokeStyle = p.accent;
      ctx.lineWidth = 2 / view.k;
      ctx.beginPath();
      ctx.arc(n.x, n.y!, n.radius + 3, -Math.PI / 2, -Math.PI / 2 + Math.PI * 2 * Math.min(1, n.load.active / n.load.max));
      ctx.stroke();
    }
  }
  // The selected ring over the hovered one when they are the same node.
  for (const id of [s.hovered, s.selected]) {
    const n = id === null ? undefined : lookup(s, id);
    if (!n || n.x === undefined) continue;
    ctx.strokeStyle = n.id === s.selected ? p.accent : p.text;
    ctx.lineWidth = 2.5 / view.k;
    ctx.beginPath();
    ctx.arc(n.x, n.y!, n.radius + 6, 0, Math.PI * 2);
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
}

function lookup(s: DrawState, id: string): SimNode | undefined {
  return s.nodeById ? s.nodeById(id) : s.nodes.find((n) => n.id === id);
}

function drawLabels(ctx: CanvasRenderingContext2D, s: DrawState): void {
  const view = s.view;
  ctx.fillStyle = s.palette.text;
  ctx.font = `${11 / view.k}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  const label = (n: SimNode) => {
    if (n.x === undefined) return;
    ctx.fillText(n.kind === 'group' ? `${n.label} (${n.members})` : n.label, n.x, n.y! + n.radius + 12 / view.k);
  };
  if (!s.nodeById) {
    for (const n of s.nodes) if (s.labels.has(n.id) || n.id === s.selected || n.id === s.hovered || s.matches.has(n.id)) label(n);
    return;
  }
  // Only the labelled ones, each once (a node can be chosen, selected and matched at once).
  const ids = new Set(s.labels);
  for (const id of s.matches) ids.add(id);
  if (s.selected !== null) ids.add(s.selected);
  if (s.hovered !== null) ids.add(s.hovered);
  for (const id of ids) {
    const n = s.nodeById(id);
    if (n) label(n);
  }
}

const LABEL_CHAR_PX = 6.2;
const LABEL_H = 13;
/** Past this many on-screen nodes, labels show only on hover, selection and search (the graph would be a wall of text). */
export const LABEL_DENSITY_LIMIT = 600;

/** Labels that do not collide on screen, busiest nodes first (placeLabels); none past the density limit. */
export function chooseLabels(nodes: readonly SimNode[], view: View, width: number, height: number, pinned: ReadonlySet<string>): Set<string> {
  const boxes: LabelBox[] = [];
  let onScreen = 0;
  for (const n of nodes) {
    if (n.x === undefined) continue;
    const sx = width / 2 + view.x + n.x * view.k;
    const sy = height / 2 + view.y + n.y! * view.k;
    if (sx < -50 || sx > width + 50 || sy < -30 || sy > height + 30) continue;
    // Too dense to label: stop before doing any placement work (large swarms stay cheap per frame).
    if (++onScreen > LABEL_DENSITY_LIMIT) return new Set();
    const text = n.kind === 'group' ? `${n.label} (${n.members})` : n.label;
    const w = text.length * LABEL_CHAR_PX;
    const top = sy + n.radius * view.k + 2;
    boxes.push({ id: n.id, x: sx - w / 2, y: top, w, h: LABEL_H, priority: pinned.has(n.id) ? 1e9 : (n.kind === 'group' ? 1e3 : 0) + n.radius * 10 + n.inflight });
    // The node's own disc is an obstacle too, so labels do not cover other nodes.
    const r = n.radius * view.k;
    boxes.push({ id: `\u0000${n.id}`, x: sx - r, y: sy - r, w: r * 2, h: r * 2, priority: 1e12 });
  }
  return placeLabels(boxes);
}

/** The link under a screen point (within 5 px), if any. */
export function linkAt(links: readonly SimLink[], view: View, width: number, height: number, sx: number, sy: number): SimLink | null {
  let best: SimLink | null = null;
  let bestD = 5;
  for (const l of links) {
    const a = l.source as SimNode;
    const b = l.target as SimNode;
    if (a.x === undefined || b.x === undefined) continue;
    const [ax, ay] = toScreen(view, width, height, a.x, a.y!);
    const [bx, by] = toScreen(view, width, height, b.x, b.y!);
    const d = distanceToSegment(sx, sy, ax, ay, bx, by);
    if (d < bestD) {
      best = l;
      bestD = d;
    }
  }
  return best;
}
