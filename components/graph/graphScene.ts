/**
 * What the swarm graph draws: nodes and links rebuilt from the store (keeping each node's
 * object, and so its position, across updates), the search matches, the edge rates, and the
 * layout message the worker needs when the shape changed. No DOM, no simulation.
 */
import { matchNodes } from '../../lib/graph/buildGraph';
import { graphOf } from '../../lib/graph/graphMemo';
import { EdgeRates } from '../../lib/graph/edgeRate';
import { packGraph, sameOrder, type GraphMessage } from '../../lib/graph/layoutMessages';
import { COLLIDE_LIMIT } from '../../lib/graph/forceLayout';
import type { XrayState } from '../../lib/client/store';
import type { EdgeView } from '../../lib/client/overviewState';
import { edgeKey } from '../../lib/model/swarmModel';
import type { SimLink, SimNode } from './drawGraph';
import { decorationCandidates } from './decorations';
import type { WindowEdges } from './TimeWindow';

/** How long (ms) a node's halo pulses after its error count rose. */
const FLASH_MS = 2000;

/** The overview's edges with the call edges replaced by a replayed window's (topics stay live). */
export function edgesFor(state: XrayState, win: WindowEdges | null): XrayState['overview']['edges'] {
  if (!win) return state.overview.edges;
  const out = new Map<string, EdgeView>();
  for (const [k, e] of state.overview.edges) if (e.kind === 'topic') out.set(k, e);
  for (const e of win.edges) {
    const key = edgeKey('call', e.from, e.to);
    out.set(key, { key, from: e.from, to: e.to, kind: 'call', calls: e.calls, inflight: 0, errors: e.errors });
  }
  return out;
}

export class GraphScene {
  nodes: SimNode[] = [];
  links: SimLink[] = [];
  matches = new Set<string>();
  /** The nodes with a halo or ring of their own (drawGraph's decorationCandidates), as of the last sync. */
  decorated: SimNode[] = [];
  readonly rates = new EdgeRates();
  private byId = new Map<string, SimNode>();
  private version = 0;
  /** Until when something animates on its own (error halos; in-flight dots while any call is open). */
  private animateUntil = 0;
  private inflight = false;

  /** Rebuilds from the store; returns the message for the layout worker, or null when it needs none. */
  sync(state: XrayState, win: WindowEdges | null, now: number): GraphMessage | null {
    const g = graphOf({ agents: state.overview.agents, edges: edgesFor(state, win), stateFilter: state.stateFilter, topicFilter: state.topicFilter, grouping: state.grouping });
    const next = new Map<string, SimNode>();
    let radiusChanged = false;
    const nodes = g.nodes.map((n) => {
      const prev = this.byId.get(n.id);
      if (!prev) {
        const fresh: SimNode = { ...n, from: n };
        next.set(n.id, fresh);
        return fresh;
      }
      // The same node object as last time (buildGraph reuses those of untouched agents): nothing to copy.
      if (prev.from === n) {
        next.set(n.id, prev);
        return prev;
      }
      prev.from = n;
      if (n.radius !== prev.radius) radiusChanged = true;
      if (n.errors > prev.errors) {
        prev.flashUntil = now + FLASH_MS;
        this.animateUntil = Math.max(this.animateUntil, now + FLASH_MS);
      }
      next.set(n.id, Object.assign(prev, n));
      return prev;
    });
    const links: SimLink[] = [];
    this.inflight = false;
    for (const l of g.links) {
      const source = next.get(l.source);
      const target = next.get(l.target);
      if (!source || !target) continue;
      links.push({ ...l, source, target });
      if (l.inflight > 0) this.inflight = true;
      this.rates.record(l.id, now, l.calls, l.errors);
    }
    this.rates.forget(new Set(links.map((l) => l.id)));
    const structural = !sameOrder(nodes, this.nodes) || !sameOrder(links, this.links);
    this.nodes = nodes;
    this.links = links;
    this.byId = next;
    this.matches = new Set(matchNodes(nodes, state.search));
    this.decorated = decorationCandidates(nodes, now);
    // The worker needs the new shape; radii only matter to it while collision is on.
    if (!structural && !(radiusChanged && nodes.length <= COLLIDE_LIMIT)) return null;
    if (structural) this.version++;
    return packGraph(this.version, nodes, g.links, structural);
  }

  /** The node order the last layout message named (positions for another order are stale). */
  layoutVersion(): number {
    return this.version;
  }

  node(id: string): SimNode | undefined {
    return this.byId.get(id);
  }

  /** Whether a frame at `now` differs from the last one even if nothing else changed. */
  animating(now: number): boolean {
    return this.inflight || now < this.animateUntil;
  }
}
