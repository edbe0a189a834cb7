/**
 * The node discs of a large graph, drawn as pixels (lib/graph/rasterDiscs.ts) into an
 * off-screen canvas and composited onto the graph in one drawImage, so links stay below and
 * rings and labels above. Small graphs keep the antialiased vector path in drawGraph.
 */
import { packRgba, PixelBuffer, type PixelBox } from '../../lib/graph/rasterDiscs';
import type { View } from '../../lib/graph/viewport';
import type { SimNode } from './simTypes';

/** From this many nodes the discs are drawn as pixels. */
export const PIXEL_NODES_FROM = 1000;

export class NodeLayer {
  private readonly buffer = new PixelBuffer();
  private readonly canvas = document.createElement('canvas');
  private readonly ctx = this.canvas.getContext('2d')!;
  private image: ImageData | null = null;
  /** The box of the off-screen canvas that holds discs (as last put). */
  private shown: PixelBox | null = null;
  /** Each node's packed colour, in node order, as of `colorKey`. */
  private colors = new Uint32Array(0);
  private colorKey = '';
  private readonly rgb = new Map<string, [number, number, number]>();
  private readonly probe = document.createElement('canvas').getContext('2d', { willReadFrequently: true })!;

  /** Any CSS colour as bytes, through the canvas's own parser (the palette comes from CSS variables). */
  private bytes(color: string): [number, number, number] {
    let c = this.rgb.get(color);
    if (!c) {
      this.probe.clearRect(0, 0, 1, 1);
      this.probe.fillStyle = color;
      this.probe.fillRect(0, 0, 1, 1);
      const d = this.probe.getImageData(0, 0, 1, 1).data;
      this.rgb.set(color, (c = [d[0], d[1], d[2]]));
    }
    return c;
  }

  color(css: string, alpha: number): number {
    const [r, g, b] = this.bytes(css);
    return packRgba(r, g, b, alpha);
  }

  /**
   * Draws every node with `colorOf(node)` (a packed colour, or 0 to skip) onto ctx, whose
   * transform is left as it was. The colours are asked for again only when `colorKey` changes
   * (the store, the search or the theme), not once per node per frame; only the box the discs
   * cover (and the one they covered last time) is cleared, copied and composited.
   */
  draw(ctx: CanvasRenderingContext2D, nodes: readonly SimNode[], view: View, width: number, height: number, dpr: number, colorKey: string, colorOf: (n: SimNode) => number): void {
    const w = Math.max(1, Math.floor(width * dpr));
    const h = Math.max(1, Math.floor(height * dpr));
    if (this.buffer.width !== w || this.buffer.height !== h) {
      this.buffer.resize(w, h);
      this.canvas.width = w;
      this.canvas.height = h;
      this.image = new ImageData(new Uint8ClampedArray(this.buffer.pixels.buffer), w, h);
      this.shown = null;
    }
    if (colorKey !== this.colorKey || this.colors.length !== nodes.length) {
      this.colorKey = colorKey;
      if (this.colors.length !== nodes.length) this.colors = new Uint32Array(nodes.length);
      for (let i = 0; i < nodes.length; i++) this.colors[i] = colorOf(nodes[i]);
    }
    const before = this.shown;
    this.buffer.clear();
    const k = view.k * dpr;
    const ox = (width / 2 + view.x) * dpr;
    const oy = (height / 2 + view.y) * dpr;
    const colors = this.colors;
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      const color = colors[i];
      if (n.x === undefined || !color) continue;
      const sx = ox + n.x * k;
      const sy = oy + n.y! * k;
      if (n.kind === 'topic') this.buffer.square(sx, sy, n.radius * k, color);
      else this.buffer.disc(sx, sy, n.radius * k, color);
    }
    const now = this.buffer.written();
    this.shown = now;
    // The off-screen canvas changed where discs were cleared and where they were drawn.
    const put = union(before, now);
    if (put) this.ctx.putImageData(this.image!, 0, 0, put.x, put.y, put.w, put.h);
    if (!now) return;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalAlpha = 1;
    ctx.drawImage(this.canvas, now.x, now.y, now.w, now.h, now.x, now.y, now.w, now.h);
    ctx.restore();
  }
}

function union(a: PixelBox | null, b: PixelBox | null): PixelBox | null {
  if (!a || !b) return a ?? b;
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}
