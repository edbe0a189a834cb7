/**
 * Event-loop delay, measured in the server process with `perf_hooks.monitorEventLoopDelay`
 * and reported per window: the p99 and max of the last completed window (default 5 s). A
 * window, not a lifetime histogram, because one long stall among hours of samples would vanish
 * from a lifetime p99 — and a stall is exactly what operators (and the G6 tests) look for.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface LoopDelayWindow {
  p99Ms: number;
  maxMs: number;
  /** When the window closed (ms since epoch); 0 before the first one closes. */
  at: number;
}

export class EventLoopDelayMonitor {
  private readonly histogram: IntervalHistogram;
  private readonly timer: NodeJS.Timeout;
  /** The last completed window. */
  last: LoopDelayWindow = { p99Ms: 0, maxMs: 0, at: 0 };
  /** Worst max seen over the process lifetime (ms). */
  worstMs = 0;

  constructor(readonly windowMs = 5000) {
    this.histogram = monitorEventLoopDelay({ resolution: 10 });
    this.histogram.enable();
    this.timer = setInterval(() => this.rotate(), windowMs);
    this.timer.unref();
  }

  private rotate(): void {
    const h = this.histogram;
    this.last = { p99Ms: h.count ? h.percentile(99) / 1e6 : 0, maxMs: h.count ? h.max / 1e6 : 0, at: Date.now() };
    this.worstMs = Math.max(this.worstMs, this.last.maxMs);
    h.reset();
  }

  stop(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }
}

let processMonitor: EventLoopDelayMonitor | null = null;

/** The process's one monitor (the event loop is per process), created on first use. */
export function processLoopDelay(windowMs = 5000): EventLoopDelayMonitor {
  processMonitor ??= new EventLoopDelayMonitor(windowMs);
  return processMonitor;
}
