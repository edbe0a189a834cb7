/**
 * Pure: filled discs and squares written straight into an RGBA pixel buffer. Under software
 * rendering (Debian chromium with --disable-gpu, what the benchmark measures) thousands of
 * canvas arcs cost far more to rasterize than writing the few pixels each small node covers;
 * measured on this machine: 5,000 nodes — arcs 283 ms, WebGL points (SwiftShader) 133 ms, this
 * 33 ms frame interval p95; 20,000 — 583, 367, 67 ms. Discs are not antialiased: the path is
 * for graphs too big for that to be seen.
 */

/** Packs a colour and opacity as the little-endian Uint32 an ImageData's buffer holds (RGBA bytes). */
export function packRgba(r: number, g: number, b: number, a: number): number {
  return ((Math.round(a * 255) << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

/** Rows shorter than this are written pixel by pixel: a TypedArray.fill call costs more than a few stores (most nodes of a big graph are 2–6 px wide). */
const SHORT_ROW = 24;

export interface PixelBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

export class PixelBuffer {
  width = 0;
  height = 0;
  pixels = new Uint32Array(0);
  /** The inclusive box of every pixel written since the last clear (maxX < 0: none), so a clear and a copy touch only that. */
  private minX = Infinity;
  private minY = Infinity;
  private maxX = -1;
  private maxY = -1;

  resize(width: number, height: number): void {
    if (width === this.width && height === this.height) return;
    this.width = width;
    this.height = height;
    this.pixels = new Uint32Array(width * height);
    this.forget();
  }

  /** Zeroes what was written since the last clear (the rest is zero already). */
  clear(): void {
    if (this.maxX < 0) return;
    const w = this.width;
    if (this.minX === 0 && this.maxX === w - 1) this.pixels.fill(0, this.minY * w, (this.maxY + 1) * w);
    else for (let y = this.minY; y <= this.maxY; y++) this.pixels.fill(0, y * w + this.minX, y * w + this.maxX + 1);
    this.forget();
  }

  /** The box holding every pixel written since the last clear, or null when nothing was. */
  written(): PixelBox | null {
    return this.maxX < 0 ? null : { x: this.minX, y: this.minY, w: this.maxX - this.minX + 1, h: this.maxY - this.minY + 1 };
  }

  private forget(): void {
    this.minX = this.minY = Infinity;
    this.maxX = this.maxY = -1;
  }

  /** Pixels x0..x1 (inclusive, already clipped) of row y. */
  private row(y: number, x0: number, x1: number, color: number): void {
    if (x0 < this.minX) this.minX = x0;
    if (x1 > this.maxX) this.maxX = x1;
    if (y < this.minY) this.minY = y;
    if (y > this.maxY) this.maxY = y;
    const at = y * this.width;
    if (x1 - x0 < SHORT_ROW) for (let i = at + x0, end = at + x1; i <= end; i++) this.pixels[i] = color;
    else this.pixels.fill(color, at + x0, at + x1 + 1);
  }

  /** A filled disc of radius `r` (pixels) centred on (cx, cy); at least one pixel however small. */
  disc(cx: number, cy: number, r: number, color: number): void {
    const { width: w, height: h } = this;
    if (cx + r < 0 || cy + r < 0 || cx - r >= w || cy - r >= h) return;
    if (r < 0.75) {
      const x = Math.floor(cx);
      const y = Math.floor(cy);
      if (x >= 0 && y >= 0 && x < w && y < h) this.row(y, x, x, color);
      return;
    }
    const r2 = r * r;
    const y0 = Math.max(0, Math.ceil(cy - r - 0.5));
    const y1 = Math.min(h - 1, Math.floor(cy + r - 0.5));
    for (let y = y0; y <= y1; y++) {
      // Pixel centres inside the circle on this row: one span, no per-pixel test.
      const dy = y + 0.5 - cy;
      const half = Math.sqrt(Math.max(0, r2 - dy * dy));
      const x0 = Math.max(0, Math.ceil(cx - half - 0.5));
      const x1 = Math.min(w - 1, Math.floor(cx + half - 0.5));
      if (x1 >= x0) this.row(y, x0, x1, color);
    }
  }

  /** A filled axis-aligned square of half-side `r` centred on (cx, cy). */
  square(cx: number, cy: number, r: number, color: number): void {
    const { width: w, height: h } = this;
    const x0 = Math.max(0, Math.round(cx - r));
    const x1 = Math.min(w - 1, Math.round(cx + r) - 1);
    const y0 = Math.max(0, Math.round(cy - r));
    const y1 = Math.min(h - 1, Math.round(cy + r) - 1);
    for (let y = y0; y <= y1; y++) if (x1 >= x0) this.row(y, x0, x1, color);
    if (x1 < x0 || y1 < y0) {
      const x = Math.floor(cx);
      const y = Math.floor(cy);
      if (x >= 0 && y >= 0 && x < w && y < h) this.row(y, x, x, color);
    }
  }
}
