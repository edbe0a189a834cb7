/** Keeps the canvas's backing store at its CSS size × devicePixelRatio; `changes` bumps on every resize. */
export class CanvasSize {
  width = 0;
  height = 0;
  dpr = 1;
  changes = 0;
  private readonly observer: ResizeObserver;

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.measure();
    this.observer = new ResizeObserver(() => this.measure());
    this.observer.observe(canvas);
  }

  private measure(): void {
    this.width = this.canvas.clientWidth;
    this.height = this.canvas.clientHeight;
    this.dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.max(1, Math.floor(this.width * this.dpr));
    this.canvas.height = Math.max(1, Math.floor(this.height * this.dpr));
    this.changes++;
  }

  destroy(): void {
    this.observer.disconnect();
  }
}
