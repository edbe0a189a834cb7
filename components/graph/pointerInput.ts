/**
 * Pointer input on the graph canvas: drag a node, pan the background, wheel to zoom about the
 * cursor, hover for tooltips, click to select. It only reads hit tests and reports intents;
 * the controller decides what they do.
 */
import type { SimLink, SimNode } from './drawGraph';

export interface PointerTarget {
  nodeAt(sx: number, sy: number): SimNode | null;
  linkAt(sx: number, sy: number): SimLink | null;
  dragNode(node: SimNode, sx: number, sy: number): void;
  releaseNode(node: SimNode): void;
  pan(dx: number, dy: number, from: { x: number; y: number }): void;
  viewOffset(): { x: number; y: number };
  zoomAt(factor: number, sx: number, sy: number): void;
  hover(node: SimNode | null, link: SimLink | null, sx: number, sy: number): void;
  click(node: SimNode | null): void;
}

/** A press that moves less than this many pixels is a click. */
const CLICK_SLOP = 3;

export class PointerInput {
  private drag: { node: SimNode | null; startX: number; startY: number; view: { x: number; y: number }; moved: boolean } | null = null;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly target: PointerTarget,
  ) {
    canvas.addEventListener('pointerdown', this.onDown);
    canvas.addEventListener('pointermove', this.onMove);
    canvas.addEventListener('pointerup', this.onUp);
    canvas.addEventListener('pointerleave', this.onLeave);
    canvas.addEventListener('wheel', this.onWheel, { passive: false });
  }

  private local(e: PointerEvent | WheelEvent): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }

  private readonly onDown = (e: PointerEvent) => {
    const [sx, sy] = this.local(e);
    this.drag = { node: this.target.nodeAt(sx, sy), startX: sx, startY: sy, view: this.target.viewOffset(), moved: false };
    this.canvas.setPointerCapture(e.pointerId);
  };

  private readonly onMove = (e: PointerEvent) => {
    const [sx, sy] = this.local(e);
    const d = this.drag;
    if (d) {
      if (Math.hypot(sx - d.startX, sy - d.startY) > CLICK_SLOP) d.moved = true;
      if (d.node) this.target.dragNode(d.node, sx, sy);
      else if (d.moved) this.target.pan(sx - d.startX, sy - d.startY, d.view);
      return;
    }
    const node = this.target.nodeAt(sx, sy);
    const link = node ? null : this.target.linkAt(sx, sy);
    this.canvas.style.cursor = node || link ? 'pointer' : 'grab';
    this.target.hover(node, link, sx, sy);
  };

  private readonly onUp = () => {
    const d = this.drag;
    this.drag = null;
    if (!d) return;
    if (d.node) this.target.releaseNode(d.node);
    if (!d.moved) this.target.click(d.node);
  };

  private readonly onWheel = (e: WheelEvent) => {
    e.preventDefault();
    const [sx, sy] = this.local(e);
    this.target.zoomAt(Math.exp(-e.deltaY * 0.0015), sx, sy);
  };

  private readonly onLeave = () => this.target.hover(null, null, 0, 0);

  destroy(): void {
    this.canvas.removeEventListener('pointerdown', this.onDown);
    this.canvas.removeEventListener('pointermove', this.onMove);
    this.canvas.removeEventListener('pointerup', this.onUp);
    this.canvas.removeEventListener('pointerleave', this.onLeave);
    this.canvas.removeEventListener('wheel', this.onWheel);
  }
}
