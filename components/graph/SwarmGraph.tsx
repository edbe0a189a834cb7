'use client';
/**
 * The live force graph. React renders the canvas once; from then on a requestAnimationFrame
 * loop steps the d3-force simulation one tick per frame and draws it, reading the zustand
 * store through a transient subscription — positions never re-render React.
 */
import { forceCenter, forceCollide, forceLink, forceManyBody, forceSimulation, forceX, forceY, type Simulation } from 'd3-force';
import { useEffect, useRef, useState } from 'react';
import { buildGraph, matchNodes } from '../../lib/graph/buildGraph';
import { EdgeRates } from '../../lib/graph/edgeRate';
import { fitView, toScreen, zoomAt } from '../../lib/graph/viewport';
import type { XrayState } from '../../lib/client/store';
import { edgeKey } from '../../lib/model/swarmModel';
import type { EdgeView } from '../../lib/client/overviewState';
import { useXrayStoreApi } from '../XrayProviders';
import { chooseLabels, drawGraph, linkAt, nodeAt, readPalette, type SimLink, type SimNode, type View } from './drawGraph';
import { GraphLegend } from './GraphLegend';
import { LinkTooltip, type LinkHover } from './LinkTooltip';
import type { WindowEdges } from './TimeWindow';

/** Past this many nodes the layout warms up off screen, in chunks, before the first draw. */
const WARMUP_THRESHOLD = 400;
const FRAME_SAMPLES = 600;

interface Tooltip {
  x: number;
  y: number;
  node: SimNode;
}

/** Zoom controls the buttons call into the animation loop with. */
interface ViewControls {
  zoom(factor: number): void;
  fit(): void;
}

/** How often (ms) non-colliding labels are re-chosen: positions move a little per frame, the choice need not. */
const LABEL_EVERY_MS = 120;

/** The overview's edges with the call edges replaced by a replayed window's (topics stay live). */
function edgesFor(state: XrayState, win: WindowEdges | null): XrayState['overview']['edges'] {
  if (!win) return state.overview.edges;
  const out = new Map<string, EdgeView>();
  for (const [k, e] of state.overview.edges) if (e.kind === 'topic') out.set(k, e);
  for (const e of win.edges) {
    const key = edgeKey('call', e.from, e.to);
    out.set(key, { key, from: e.from, to: e.to, kind: 'call', calls: e.calls, inflight: 0, errors: e.errors });
  }
  return out;
}

export function SwarmGraph({ window: win = null }: { window?: WindowEdges | null }) {
  const windowRef = useRef(win);
  const resync = useRef<(() => void) | null>(null);
  useEffect(() => {
    windowRef.current = win;
    resync.current?.();
  }, [win]);
  const store = useXrayStoreApi();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [tooltip, setTooltip] = useState<Tooltip | null>(null);
  const [warmup, setWarmup] = useState<number | null>(null);
  const [linkHover, setLinkHover] = useState<LinkHover | null>(null);
  const controls = useRef<ViewControls | null>(null);
  const [following, setFollowing] = useState(true);

  useEffect(() => {
    const canvas = canvasRef.current!;
    const ctx = canvas.getContext('2d')!;
    let width = canvas.clientWidth;
    let height = canvas.clientHeight;
    let dpr = window.devicePixelRatio || 1;
    const view: View = { k: 1, x: 0, y: 0 };
    // Zoom to fit follows the layout until the user pans or zooms; the Fit button turns it back on.
    let autoFit = true;
    const stopFollowing = () => {
      if (!autoFit) return;
      autoFit = false;
      setFollowing(false);
    };
    let labels = new Set<string>();
    let labelsAt = 0;
    let hoveredLink: string | null = null;
    const rates = new EdgeRates();
    let palette = readPalette(canvas);
    let nodes: SimNode[] = [];
    let links: SimLink[] = [];
    let matches = new Set<string>();
    let hovered: string | null = null;
    let warming = false;
    let raf = 0;
    const frameTimes: number[] = [];
    (window as unknown as { __xrayFrameTimes: number[] }).__xrayFrameTimes = frameTimes;

    const sim: Simulation<SimNode, SimLink> = forceSimulation<SimNode, SimLink>([])
      .force(
        'link',
        forceLink<SimNode, SimLink>([])
          .id((d) => d.id)
          .distance((l) => (l.kind === 'topic' ? 140 : 90))
          // Every agent sits on a few shared topics: keep those links weak or they collapse the layout.
          .strength((l) => (l.kind === 'topic' ? 0.02 : 0.3)),
      )
      .force('charge', forceManyBody<SimNode>().strength(-180).theta(0.9).distanceMax(800))
      .force('center', forceCenter(0, 0))
      .force('x', forceX(0).strength(0.03))
      .force('y', forceY(0).strength(0.03))
      .force('collide', forceCollide<SimNode>((d) => d.radius + 2))
      .alphaDecay(0.03)
      .stop();

    const resize = () => {
      width = canvas.clientWidth;
      height = canvas.clientHeight;
      dpr = window.devicePixelRatio || 1;
      canvas.width = Math.max(1, Math.floor(width * dpr));
      canvas.height = Math.max(1, Math.floor(height * dpr));
    };
    resize();
    const ro = new ResizeObserver(resize);
    ro.observe(canvas);

    /** Rebuilds nodes/links from the store, keeping positions of nodes that stay. */
    const sync = (state: XrayState) => {
      const g = buildGraph(state.overview.agents, edgesFor(state, windowRef.current), {
        states: state.stateFilter.length ? new Set(state.stateFilter) : undefined,
        topic: state.topicFilter,
        group: state.grouping,
      });
      const old = new Map(nodes.map((n) => [n.id, n]));
      let structural = g.nodes.length !== nodes.length;
      const now = performance.now();
      nodes = g.nodes.map((n) => {
        const prev = old.get(n.id);
        if (!prev) {
          structural = true;
          const angle = Math.random() * Math.PI * 2;
          return { ...n, x: Math.cos(angle) * 200, y: Math.sin(angle) * 200 };
        }
        const flashUntil = n.errors > prev.errors ? now + 2000 : prev.flashUntil;
        return Object.assign(prev, n, { flashUntil });
      });
      const oldLinks = new Set(links.map((l) => l.id));
      links = g.links.map((l) => ({ ...l }));
      for (const l of links) rates.record(l.id, now, l.calls, l.errors);
      rates.forget(new Set(links.map((l) => l.id)));
      if (links.some((l) => !oldLinks.has(l.id)) || links.length !== oldLinks.size) structural = true;
      sim.nodes(nodes);
      sim.force<ReturnType<typeof forceLink<SimNode, SimLink>>>('link')!.links(links);
      matches = new Set(matchNodes(nodes, state.search));
      // Collision resolution is the costliest force; on very large graphs the charge force alone spreads nodes.
      sim.force('collide', nodes.length > 1500 ? null : forceCollide<SimNode>((d) => d.radius + 2));
      if (structural) sim.alpha(Math.max(sim.alpha(), 0.5));
      if (structural && nodes.length > WARMUP_THRESHOLD && !warming && sim.alpha() > 0.3) warm();
    };

    /** Large graphs settle off screen in small chunks (the page stays responsive), with progress. */
    const warm = () => {
      warming = true;
      let done = 0;
      const total = 120;
      const step = () => {
        for (let i = 0; i < 10 && done < total; i++, done++) sim.tick();
        setWarmup(Math.round((done / total) * 100));
        if (done < total) setTimeout(step, 0);
        else {
          warming = false;
          setWarmup(null);
        }
      };
      step();
    };

    const frame = () => {
      const started = performance.now();
      if (!warming) {
        if (sim.alpha() > sim.alphaMin()) sim.tick();
        if (autoFit && nodes.length) {
          // Ease toward the fitting view so a growing swarm does not jump.
          const target = fitView(nodes, width, height, 40, 16);
          const ease = view.k === 1 && view.x === 0 && view.y === 0 ? 1 : 0.15;
          view.k += (target.k - view.k) * ease;
          view.x += (target.x - view.x) * ease;
          view.y += (target.y - view.y) * ease;
        }
        const state = store.getState();
        if (started - labelsAt > LABEL_EVERY_MS) {
          labelsAt = started;
          labels = chooseLabels(nodes, view, width, height, new Set([state.selectedAgent ?? '', hovered ?? '']));
        }
        drawGraph(ctx, {
          nodes,
          links,
          view,
          width,
          height,
          dpr,
          now: started,
          selected: state.selectedAgent,
          hovered,
          matches,
          palette,
          labels,
          hoveredLink,
        });
      }
      frameTimes.push(performance.now() - started);
      if (frameTimes.length > FRAME_SAMPLES) frameTimes.shift();
      raf = requestAnimationFrame(frame);
    };

    sync(store.getState());
    resync.current = () => sync(store.getState());
    const unsubscribe = store.subscribe((state, prev) => {
      if (state.overview !== prev.overview || state.search !== prev.search || state.stateFilter !== prev.stateFilter || state.topicFilter !== prev.topicFilter || state.grouping !== prev.grouping) sync(state);
    });
    raf = requestAnimationFrame(frame);
    controls.current = {
      zoom: (factor) => {
        stopFollowing();
        Object.assign(view, zoomAt(view, factor, width / 2, height / 2, width, height));
      },
      fit: () => {
        autoFit = true;
        setFollowing(true);
        Object.assign(view, fitView(nodes, width, height, 40, 16));
      },
    };
    // For the e2e suite and the benchmark: where every node is on screen right now.
    (window as unknown as { __xrayGraphDebug: () => unknown }).__xrayGraphDebug = () => ({
      width,
      height,
      k: view.k,
      nodes: nodes.filter((n) => n.x !== undefined).map((n) => {
        const [sx, sy] = toScreen(view, width, height, n.x!, n.y!);
        return { id: n.id, sx, sy, r: n.radius * view.k };
      }),
    });

    // Pointer: drag a node, pan the background, hover for a tooltip, click to select.
    let drag: { node: SimNode | null; startX: number; startY: number; viewX: number; viewY: number; moved: boolean } | null = null;
    const local = (e: PointerEvent | WheelEvent) => {
      const r = canvas.getBoundingClientRect();
      return [e.clientX - r.left, e.clientY - r.top] as const;
    };
    const onDown = (e: PointerEvent) => {
      const [sx, sy] = local(e);
      const node = nodeAt(nodes, view, width, height, sx, sy);
      drag = { node, startX: sx, startY: sy, viewX: view.x, viewY: view.y, moved: false };
      canvas.setPointerCapture(e.pointerId);
    };
    const onMove = (e: PointerEvent) => {
      const [sx, sy] = local(e);
      if (drag) {
        if (Math.hypot(sx - drag.startX, sy - drag.startY) > 3) drag.moved = true;
        if (drag.node) {
          drag.node.fx = (sx - width / 2 - view.x) / view.k;
          drag.node.fy = (sy - height / 2 - view.y) / view.k;
          sim.alpha(Math.max(sim.alpha(), 0.2));
        } else if (drag.moved) {
          stopFollowing();
          view.x = drag.viewX + sx - drag.startX;
          view.y = drag.viewY + sy - drag.startY;
        }
        return;
      }
      const node = nodeAt(nodes, view, width, height, sx, sy);
      hovered = node?.id ?? null;
      const link = node ? null : linkAt(links, view, width, height, sx, sy);
      hoveredLink = link?.id ?? null;
      canvas.style.cursor = node || link ? 'pointer' : 'grab';
      setTooltip(node ? { x: sx, y: sy, node } : null);
      setLinkHover(link ? { x: sx, y: sy, id: link.id, kind: link.kind, source: (link.source as SimNode).label, target: (link.target as SimNode).label, agents: (link.source as SimNode).kind === 'agent' && (link.target as SimNode).kind === 'agent', inflight: link.inflight, ...rates.stats(link.id, performance.now()) } : null);
    };
    const onUp = () => {
      if (drag?.node) {
        drag.node.fx = null;
        drag.node.fy = null;
      }
      if (drag && !drag.moved) {
        const n = drag.node;
        store.getState().select(n && n.kind === 'agent' ? n.id : null);
      }
      drag = null;
    };
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      stopFollowing();
      const [sx, sy] = local(e);
      // Zoom around the cursor.
      Object.assign(view, zoomAt(view, Math.exp(-e.deltaY * 0.0015), sx, sy, width, height));
    };
    const onLeave = () => {
      hovered = null;
      hoveredLink = null;
      setTooltip(null);
      setLinkHover(null);
    };
    const theme = new MutationObserver(() => (palette = readPalette(canvas)));
    theme.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    canvas.addEventListener('pointerdown', onDown);
    canvas.addEventListener('pointermove', onMove);
    canvas.addEventListener('pointerup', onUp);
    canvas.addEventListener('pointerleave', onLeave);
    canvas.addEventListener('wheel', onWheel, { passive: false });
    return () => {
      cancelAnimationFrame(raf);
      unsubscribe();
      ro.disconnect();
      theme.disconnect();
      sim.stop();
      canvas.removeEventListener('pointerdown', onDown);
      canvas.removeEventListener('pointermove', onMove);
      canvas.removeEventListener('pointerup', onUp);
      canvas.removeEventListener('pointerleave', onLeave);
      canvas.removeEventListener('wheel', onWheel);
    };
  }, [store]);

  return (
    <div className="graph">
      <canvas ref={canvasRef} className="graph-canvas" aria-label="Force graph of agents and calls; the agent list below mirrors it" role="img" />
      {win ? (
        <div className="window-badge" data-testid="window-badge">
          replaying calls {win.label} from the log
        </div>
      ) : null}
      {warmup !== null ? <div className="graph-overlay">Laying out the swarm… {warmup}%</div> : null}
      <div className="zoom-controls" role="group" aria-label="Zoom">
        <button type="button" aria-label="Zoom in" data-testid="zoom-in" onClick={() => controls.current?.zoom(1.4)}>
          +
        </button>
        <button type="button" aria-label="Zoom out" data-testid="zoom-out" onClick={() => controls.current?.zoom(1 / 1.4)}>
          −
        </button>
        <button type="button" aria-label="Zoom to fit" aria-pressed={following} data-testid="zoom-fit" title="Zoom to fit (follows the swarm until you pan or zoom)" onClick={() => controls.current?.fit()}>
          Fit
        </button>
      </div>
      <GraphLegend />
      {linkHover ? <LinkTooltip hover={linkHover} /> : null}
      {tooltip ? (
        <div className="tooltip" style={{ left: tooltip.x + 14, top: tooltip.y + 14 }}>
          <b>{tooltip.node.kind === 'group' ? `${tooltip.node.label} · ${tooltip.node.members} agents` : tooltip.node.label}</b>
          {tooltip.node.kind !== 'topic' ? (
            <div>
              {tooltip.node.status} · {tooltip.node.tokens} tokens · {tooltip.node.inflight} in flight · {tooltip.node.errors} errors
              {tooltip.node.load ? ` · load ${tooltip.node.load.active}/${tooltip.node.load.max}` : ''}
            </div>
          ) : (
            <div>broadcast topic</div>
          )}
        </div>
      ) : null}
    </div>
  );
}
