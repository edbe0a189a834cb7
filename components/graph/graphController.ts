/**
 * The live force graph, wired: the store feeds the scene, the scene feeds the layout worker,
 * the worker's positions and the camera feed the frame loop, the pointer feeds back into all
 * three. Each method does one of those jobs. React owns none of it: the component creates one
 * controller per canvas and hears back only through `GraphUi` (tooltips, warm-up progress,
 * the Fit button's state) — never once per frame.
 */
import { applyPositions } from '../../lib/graph/layoutMessages';
import { NodeIndex } from '../../lib/graph/hitTest';
import { toScreen } from '../../lib/graph/viewport';
import type { XrayState } from '../../lib/client/store';
import { CanvasSize } from './canvasSize';
import { Camera } from './camera';
import { chooseLabels, drawGraph, linkAt, type SimLink, type SimNode } from './drawGraph';
import { FrameLoop } from './frameLoop';
import { GraphScene } from './graphScene';
import { LayoutClient } from './layoutClient';
import { NodeLayer } from './nodeLayer';
import type { LinkHover } from './LinkTooltip';
import { PointerInput, type PointerTarget } from './pointerInput';
import { ThemePalette } from './themePalette';
import type { WindowEdges } from './TimeWindow';

export interface GraphUi {
  tooltip(t: { x: number; y: number; node: SimNode } | null): void;
  linkHover(h: LinkHover | null): void;
  warmup(pct: number | null): void;
  following(on: boolean): void;
}

interface Store {
  getState(): XrayState;
  subscribe(listener: (state: XrayState, prev: XrayState) => void): () => void;
}

/** How often (ms) non-colliding labels are re-chosen: positions move a little per frame, the choice need not. */
const LABEL_EVERY_MS = 120;
/** Layout motion below this many device pixels is not redrawn (the next visible step is). */
const SUBPIXEL = 0.5;

/** The store fields the graph is built from. */
const graphInputsChanged = (s: XrayState, p: XrayState) => s.overview !== p.overview || s.search !== p.search || s.stateFilter !== p.stateFilter || s.topicFilter !== p.topicFilter || s.grouping !== p.grouping;

export class GraphController implements PointerTarget {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly size: CanvasSize;
  private readonly theme: ThemePalette;
  private readonly camera: Camera;
  private readonly scene = new GraphScene();
  private readonly index = new NodeIndex<SimNode>();
  private readonly nodeLayer = new NodeLayer();
  private readonly layout: LayoutClient;
  private readonly pointer: PointerInput;
  private readonly loop: FrameLoop;
  private readonly unsubscribe: () => void;
  private win: WindowEdges | null = null;
  /** Store changes are folded into one rebuild per frame, however many deltas arrived. */
  private stale = true;
  /** Bumped by anything that changes the picture; the frame draws only when it moved. */
  private changes = 1;
  private drawn = '';
  /** Upper bound (world units) of how far any node moved since the picture was last drawn. */
  private motion = 0;
  /** Bumped whenever node positions or radii may have changed (the fit follows them). */
  private layoutChanges = 0;
  /** Bumped by every rebuild from the store: node colours can change only then (or with the theme). */
  private syncs = 0;
  private labels = new Set<string>();
  private labelsAt = 0;
  private hovered: string | null = null;
  private hoveredLink: string | null = null;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly store: Store,
    private readonly ui: GraphUi,
  ) {
    this.ctx = canvas.getContext('2d')!;
    this.size = new CanvasSize(canvas);
    this.theme = new ThemePalette(canvas);
    this.camera = new Camera(ui.following);
    this.layout = new LayoutClient({ positions: (v, xy) => this.onPositions(v, xy), warmup: ui.warmup });
    this.pointer = new PointerInput(canvas, this);
    this.unsubscribe = store.subscribe((s, p) => {
      if (graphInputsChanged(s, p)) this.stale = true;
      else if (s.selectedAgent !== p.selectedAgent) this.changes++;
    });
    this.loop = new FrameLoop((now) => this.frame(now));
    this.exposeDebug();
  }

  /** A replayed time window replaces the live call edges (null: live again). */
  setWindow(win: WindowEdges | null): void {
    this.win = win;
    this.stale = true;
  }

  /** Rebuilds the scene from the store and tells the layout about a new shape. */
  private sync(now: number): void {
    this.stale = false;
    const message = this.scene.sync(this.store.getState(), this.win, now);
    if (message) this.layout.setGraph(message);
    this.syncs++;
    this.index.invalidate();
    this.layoutChanges++;
    this.changes++;
  }

  /** Positions from the worker, applied only to the node order they were computed for. */
  private onPositions(version: number, xy: Float32Array): void {
    if (version !== this.scene.layoutVersion()) return;
    const moved = applyPositions(this.scene.nodes, xy);
    if (moved < 0) return;
    this.index.invalidate();
    this.layoutChanges++;
    // A settling layout creeps by fractions of a pixel for seconds: not worth a redraw of thousands
    // of nodes. The sum of the largest moves bounds how far any node went since the last redraw.
    this.motion += moved;
    if (this.motion * this.camera.view.k * this.size.dpr >= SUBPIXEL) {
      this.motion = 0;
      this.changes++;
    }
  }

  private frame(now: number): void {
    if (this.stale) this.sync(now);
    const { width, height, dpr } = this.size;
    this.camera.follow(this.scene.nodes, width, height, `${this.layoutChanges}|${this.size.changes}`);
    // Everything a picture depends on, as one key: unchanged key, unchanged picture.
    const key = `${this.changes}|${this.camera.changes}|${this.size.changes}|${this.theme.changes}`;
    if (key === this.drawn && !this.scene.animating(now)) return;
    this.drawn = key;
    this.motion = 0;
    const state = this.store.getState();
    const view = this.camera.view;
    if (now - this.labelsAt > LABEL_EVERY_MS) {
      this.labelsAt = now;
      this.labels = chooseLabels(this.scene.nodes, view, width, height, new Set([state.selectedAgent ?? '', this.hovered ?? '']));
    }
    drawGraph(this.ctx, {
      nodes: this.scene.nodes,
      links: this.scene.links,
      view,
      width,
      height,
      dpr,
      now,
      selected: state.selectedAgent,
      hovered: this.hovered,
      matches: this.scene.matches,
      palette: this.theme.palette,
      labels: this.labels,
      hoveredLink: this.hoveredLink,
      nodeLayer: this.nodeLayer,
      colorKey: `${this.syncs}|${this.theme.changes}`,
      decorated: this.scene.decorated,
      nodeById: this.nodeById,
    });
  }

  private readonly nodeById = (id: string) => this.scene.node(id);

  // --- the buttons -------------------------------------------------------------------------

  zoom(factor: number): void {
    this.camera.zoom(factor, this.size.width / 2, this.size.height / 2, this.size.width, this.size.height);
  }

  fit(): void {
    this.camera.fit(this.scene.nodes, this.size.width, this.size.height);
  }

  // --- PointerTarget -----------------------------------------------------------------------

  nodeAt(sx: number, sy: number): SimNode | null {
    const [wx, wy] = this.camera.toWorld(sx, sy, this.size.width, this.size.height);
    return this.index.nodeAt(this.scene.nodes, wx, wy, 4 / this.camera.view.k);
  }

  linkAt(sx: number, sy: number): SimLink | null {
    return linkAt(this.scene.links, this.camera.view, this.size.width, this.size.height, sx, sy);
  }

  dragNode(node: SimNode, sx: number, sy: number): void {
    const [wx, wy] = this.camera.toWorld(sx, sy, this.size.width, this.size.height);
    // Shown where the pointer is at once; the worker pins it there and the layout follows.
    node.x = wx;
    node.y = wy;
    this.layoutChanges++;
    this.layout.pin(node.id, wx, wy);
    this.index.invalidate();
    this.changes++;
  }

  releaseNode(node: SimNode): void {
    this.layout.unpin(node.id);
  }

  viewOffset(): { x: number; y: number } {
    return { x: this.camera.view.x, y: this.camera.view.y };
  }

  pan(dx: number, dy: number, from: { x: number; y: number }): void {
    this.camera.pan(from.x + dx, from.y + dy);
  }

  zoomAt(factor: number, sx: number, sy: number): void {
    this.camera.zoom(factor, sx, sy, this.size.width, this.size.height);
  }

  hover(node: SimNode | null, link: SimLink | null, sx: number, sy: number): void {
    const id = node?.id ?? null;
    const linkId = link?.id ?? null;
    if (id !== this.hovered || linkId !== this.hoveredLink) this.changes++;
    this.hovered = id;
    this.hoveredLink = linkId;
    this.ui.tooltip(node ? { x: sx, y: sy, node } : null);
    if (!link) return this.ui.linkHover(null);
    const source = link.source as SimNode;
    const target = link.target as SimNode;
    this.ui.linkHover({ x: sx, y: sy, id: link.id, kind: link.kind, source: source.label, target: target.label, agents: source.kind === 'agent' && target.kind === 'agent', inflight: link.inflight, ...this.scene.rates.stats(link.id, performance.now()) });
  }

  click(node: SimNode | null): void {
    this.store.getState().select(node && node.kind === 'agent' ? node.id : null);
  }

  // --- tests and the benchmark --------------------------------------------------------------

  /** For the e2e suite and the benchmark: where every node is on screen right now. */
  private exposeDebug(): void {
    (window as unknown as { __xrayGraphDebug: () => unknown }).__xrayGraphDebug = () => ({
      width: this.size.width,
      height: this.size.height,
      k: this.camera.view.k,
      nodes: this.scene.nodes
        .filter((n) => n.x !== undefined)
        .map((n) => {
          const [sx, sy] = toScreen(this.camera.view, this.size.width, this.size.height, n.x!, n.y!);
          return { id: n.id, sx, sy, r: n.radius * this.camera.view.k };
        }),
      // Which node each drawn edge joins, so a test can aim at a point only one edge passes.
      links: this.scene.links.map((l) => ({ id: l.id, kind: l.kind, source: (l.source as SimNode).id, target: (l.target as SimNode).id })),
    });
  }

  destroy(): void {
    this.loop.destroy();
    this.unsubscribe();
    this.pointer.destroy();
    this.layout.destroy();
    this.size.destroy();
    this.theme.destroy();
  }
}
