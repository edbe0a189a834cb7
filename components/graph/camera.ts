/**
 * The graph's view (pan and zoom). Zoom to fit follows the layout until the user pans or
 * zooms; Fit turns following back on. Every change bumps `changes`, so the frame loop knows
 * when it must redraw.
 */
import { fitView, zoomAt, type Circle, type View } from '../../lib/graph/viewport';

const PAD = 40;
const LABEL_BELOW = 16;
/** Below this the eased view counts as arrived (no redraw for sub-pixel drift). */
const SETTLED = 1e-3;

export class Camera {
  readonly view: View = { k: 1, x: 0, y: 0 };
  following = true;
  changes = 0;
  private fresh = true;

  constructor(private readonly onFollowing: (following: boolean) => void) {}

  private target: View | null = null;
  private targetFor = '';

  /**
   * Eases toward the fitting view while following, so a growing swarm does not jump. `layout`
   * names the positions and size the fit was computed for: the O(n) fit is redone only when
   * they change, not every frame of the easing.
   */
  follow(nodes: readonly Circle[], width: number, height: number, layout: string): void {
    if (!this.following || !nodes.length) return;
    if (!this.target || layout !== this.targetFor) {
      this.target = fitView(nodes, width, height, PAD, LABEL_BELOW);
      this.targetFor = layout;
    }
    const target = this.target;
    if (target.k === 1 && target.x === 0 && target.y === 0) return; // nothing placed yet
    const ease = this.fresh ? 1 : 0.15;
    this.fresh = false;
    const v = this.view;
    const dk = target.k - v.k;
    const dx = target.x - v.x;
    const dy = target.y - v.y;
    if (Math.abs(dk) < SETTLED * v.k && Math.abs(dx) < 0.05 && Math.abs(dy) < 0.05) return;
    v.k += dk * ease;
    v.x += dx * ease;
    v.y += dy * ease;
    this.changes++;
  }

  private stopFollowing(): void {
    if (!this.following) return;
    this.following = false;
    this.onFollowing(false);
  }

  zoom(factor: number, sx: number, sy: number, width: number, height: number): void {
    this.stopFollowing();
    Object.assign(this.view, zoomAt(this.view, factor, sx, sy, width, height));
    this.changes++;
  }

  pan(x: number, y: number): void {
    this.stopFollowing();
    this.view.x = x;
    this.view.y = y;
    this.changes++;
  }

  fit(nodes: readonly Circle[], width: number, height: number): void {
    this.target = null;
    this.following = true;
    this.onFollowing(true);
    Object.assign(this.view, fitView(nodes, width, height, PAD, LABEL_BELOW));
    this.changes++;
  }

  /** Screen point → world point. */
  toWorld(sx: number, sy: number, width: number, height: number): [number, number] {
    return [(sx - width / 2 - this.view.x) / this.view.k, (sy - height / 2 - this.view.y) / this.view.k];
  }
}
