/**
 * Pure: which node lies under a point, through a d3-quadtree over node centres (a pointer
 * move at 20,000 nodes visits a few quadrants, not every node). The index is rebuilt only
 * when positions changed since the last query, not per frame.
 */
import { quadtree, type Quadtree } from 'd3-quadtree';

export interface HitNode {
  x?: number;
  y?: number;
  radius: number;
}

export class NodeIndex<N extends HitNode> {
  private tree: Quadtree<N> | null = null;
  private maxRadius = 0;

  /** Call when positions or the node list changed; the tree is rebuilt on the next query. */
  invalidate(): void {
    this.tree = null;
  }

  private build(nodes: readonly N[]): Quadtree<N> {
    this.maxRadius = 0;
    const placed = nodes.filter((n) => n.x !== undefined && n.y !== undefined);
    for (const n of placed) this.maxRadius = Math.max(this.maxRadius, n.radius);
    return quadtree<N>()
      .x((n) => n.x!)
      .y((n) => n.y!)
      .addAll(placed);
  }

  /** The node whose disc (plus `slack`, in world units) contains (wx, wy); the nearest centre wins when several do. */
  nodeAt(nodes: readonly N[], wx: number, wy: number, slack: number): N | null {
    const tree = (this.tree ??= this.build(nodes));
    const reach = this.maxRadius + slack;
    let best: N | null = null;
    let bestD = Infinity;
    tree.visit((quad, x0, y0, x1, y1) => {
      if (!quad.length) {
        for (let leaf: typeof quad | undefined = quad; leaf; leaf = (leaf as { next?: typeof quad }).next) {
          const n = (leaf as { data: N }).data;
          const d = Math.hypot(n.x! - wx, n.y! - wy);
          if (d <= n.radius + slack && d < bestD) {
            best = n;
            bestD = d;
          }
        }
      }
      // Skip quadrants that cannot hold a disc reaching the point.
      return x0 > wx + reach || x1 < wx - reach || y0 > wy + reach || y1 < wy - reach;
    });
    return best;
  }
}
