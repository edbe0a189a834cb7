/**
 * The swarm graph's d3-force layout, free of the DOM so it runs in a Web Worker (and in unit
 * tests): it takes graph messages, keeps each node's position across updates by id, and steps
 * the simulation. The worker entry (components/graph/layout.worker.ts) only schedules ticks and
 * posts `positions()`.
 */
import { forceCenter, forceCollide, forceLink, forceManyBody, forceSimulation, forceX, forceY, type Simulation, type SimulationLinkDatum, type SimulationNodeDatum } from 'd3-force';
import { LINK_TOPIC, type GraphMessage } from './layoutMessages';
import { packPositions } from './layoutMessages';

export interface LayoutNode extends SimulationNodeDatum {
  id: string;
  radius: number;
}

export interface LayoutLink extends SimulationLinkDatum<LayoutNode> {
  topic: boolean;
}

/** Past this many nodes a structural change settles off screen (in ticks) before it is shown. */
export const WARMUP_THRESHOLD = 400;
export const WARMUP_TICKS = 120;
/** Collision resolution is the costliest force; on very large graphs the charge force alone spreads nodes. */
export const COLLIDE_LIMIT = 1500;

export class ForceLayout {
  private readonly sim: Simulation<LayoutNode, LayoutLink>;
  private byId = new Map<string, LayoutNode>();
  private nodes: LayoutNode[] = [];
  version = -1;
  /** Ticks left of the current warm-up (0: none running). */
  warmupLeft = 0;

  constructor(private readonly random: () => number = Math.random) {
    this.sim = forceSimulation<LayoutNode, LayoutLink>([])
      .force(
        'link',
        forceLink<LayoutNode, LayoutLink>([])
          .distance((l) => (l.topic ? 140 : 90))
          // Every agent sits on a few shared topics: keep those links weak or they collapse the layout.
          .strength((l) => (l.topic ? 0.02 : 0.3)),
      )
      .force('charge', forceManyBody<LayoutNode>().strength(-180).theta(0.9).distanceMax(800))
      .force('center', forceCenter(0, 0))
      .force('x', forceX(0).strength(0.03))
      .force('y', forceY(0).strength(0.03))
      .alphaDecay(0.03)
      .stop();
  }

  /** Takes a new node/link list; nodes that stay keep their position and velocity. */
  setGraph(m: GraphMessage): void {
    const next = new Map<string, LayoutNode>();
    this.nodes = m.ids.map((id, i) => {
      let n = this.byId.get(id);
      if (!n) {
        // New nodes start on a ring around the centre; the charge force spreads them out.
        const angle = this.random() * Math.PI * 2;
        n = { id, radius: m.radius[i], x: Math.cos(angle) * 200, y: Math.sin(angle) * 200 };
      }
      n.radius = m.radius[i];
      next.set(id, n);
      return n;
    });
    this.byId = next;
    const links: LayoutLink[] = [];
    for (let i = 0; i < m.linkKinds.length; i++) links.push({ source: this.nodes[m.links[2 * i]], target: this.nodes[m.links[2 * i + 1]], topic: m.linkKinds[i] === LINK_TOPIC });
    this.sim.nodes(this.nodes);
    this.sim.force<ReturnType<typeof forceLink<LayoutNode, LayoutLink>>>('link')!.links(links);
    this.sim.force('collide', this.nodes.length > COLLIDE_LIMIT ? null : forceCollide<LayoutNode>((d) => d.radius + 2));
    this.version = m.version;
    if (m.structural) {
      this.sim.alpha(Math.max(this.sim.alpha(), 0.5));
      if (this.nodes.length > WARMUP_THRESHOLD && this.warmupLeft === 0) this.warmupLeft = WARMUP_TICKS;
    }
  }

  /** Drag: holds a node at (x, y) and keeps the layout warm around it. */
  pin(id: string, x: number, y: number): void {
    const n = this.byId.get(id);
    if (!n) return;
    n.fx = x;
    n.fy = y;
    this.sim.alpha(Math.max(this.sim.alpha(), 0.2));
  }

  unpin(id: string): void {
    const n = this.byId.get(id);
    if (!n) return;
    n.fx = null;
    n.fy = null;
  }

  /** Whether the layout still moves. */
  active(): boolean {
    return this.sim.alpha() > this.sim.alphaMin();
  }

  /** One step of the simulation; during a warm-up, counts it down. */
  tick(): void {
    this.sim.tick();
    if (this.warmupLeft > 0) this.warmupLeft--;
  }

  positions(): Float32Array {
    return packPositions(this.nodes);
  }

  size(): number {
    return this.nodes.length;
  }
}
