/**
 * The animation-frame loop. Each frame asks `frame(now)` to draw if anything changed, and
 * records how long the frame's own work took in a bounded buffer that the benchmark reads
 * as `window.__xrayFrameTimes`.
 */
const FRAME_SAMPLES = 600;

export class FrameLoop {
  readonly frameTimes: number[] = [];
  private raf = 0;

  constructor(private readonly frame: (now: number) => void) {
    (window as unknown as { __xrayFrameTimes: number[] }).__xrayFrameTimes = this.frameTimes;
    this.raf = requestAnimationFrame(this.step);
  }

  private readonly step = () => {
    const started = performance.now();
    this.frame(started);
    this.frameTimes.push(performance.now() - started);
    if (this.frameTimes.length > FRAME_SAMPLES) this.frameTimes.shift();
    this.raf = requestAnimationFrame(this.step);
  };

  destroy(): void {
    cancelAnimationFrame(this.raf);
  }
}
