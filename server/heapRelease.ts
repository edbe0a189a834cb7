/**
 * Gives the heap back to the system when the server goes quiet after a burst.
 *
 * Why: under ingest V8 lets the old generation grow to several times the live data (see
 * heapGrowth.ts), and V8 itself only shrinks it after a full GC. Its memory reducer, which
 * should run that GC once allocation slows, never started in the server: with 1M events
 * logged and 100 dashboards connected, RSS sat at 381–382 MB for 30 s of quiet (sampled every
 * 2 s), holding ~914 pages of 256 KB for ~74 MB of live heap. One full GC at that moment
 * brought it to 226 MB within a second. A plain script that churns the same way and then
 * idles is shrunk by V8 within 10 s. Why the reducer stays off in the server is not
 * established (`--trace-gc` shows no "(reduce)" collection of the main isolate in 16 s of
 * quiet after the load, while the log's checkpoint thread gets two).
 *
 * So the process watches itself: every `everyMs` it reads its event-loop utilization and the
 * V8 heap's committed size. When the loop was quiet over that interval and the heap has grown
 * by `growthBytes` or more since the last release, it asks V8 for one full, compacting GC.
 * That GC is atomic (V8's test hook has no incremental mode; its `execution: 'async'` only
 * defers it to a task): it held the loop 133–148 ms on a 252–286 MB heap with 74 MB live here
 * (`--trace-gc`), against ~10 ms for the final pause of V8's own incremental full GCs. Hence
 * only when quiet, at most once per `minGapMs`, and only after real growth: a busy server
 * keeps V8's own pacing and its ingest pays nothing.
 *
 * Off by default (`XRAY_HEAP_RELEASE_MB` 0): that pause alone is longer than the 100 ms
 * event-loop delay bound the [G6] guards hold, and "quiet" over 2 s does not rule out load
 * around it. With it on, CI's 4 MiB OTLP test failed once (windows of 107 and 134 ms, on a slow
 * host whose other windows read 43–81 ms; the export's decoded spans grow the heap past the
 * threshold); with it off the next run's worst was 91 ms. For deployments where memory matters
 * more than that one pause.
 *
 * The GC function is V8's test hook (`--expose-gc`), enabled just long enough to take it from a
 * fresh context and disabled again, so no other context (Next's sandboxes) sees a `gc` global.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';

export interface HeapReleaseSettings {
  /** How often the process looks at itself. */
  everyMs: number;
  /** The loop counts as quiet when it was busy less than this share of the last interval. */
  quietBelow: number;
  /** Release when the heap's committed size is this much above where the last release left it. */
  growthBytes: number;
  /** Never two releases closer than this. */
  minGapMs: number;
}

export const DEFAULT_HEAP_RELEASE: Omit<HeapReleaseSettings, 'growthBytes'> = { everyMs: 2000, quietBelow: 0.1, minGapMs: 60_000 };

export interface HeapSample {
  /** Event-loop utilization over the interval just ended, 0–1. */
  utilization: number;
  /** V8's committed heap (total_heap_size), bytes. */
  heapTotal: number;
  at: number;
}

export interface ReleaseState {
  /** The committed heap after the last release (or at start, or the lowest seen since). */
  baseline: number;
  lastReleaseAt: number;
}

/**
 * Whether to release now, and the state after this sample. Pure. The baseline follows the heap
 * down when V8 shrinks it by itself, so growth is always measured from the lowest point since
 * the last release.
 */
export function decideRelease(state: ReleaseState, sample: HeapSample, settings: HeapReleaseSettings): { release: boolean; state: ReleaseState } {
  const baseline = Math.min(state.baseline, sample.heapTotal);
  const release =
    sample.utilization < settings.quietBelow && sample.heapTotal - baseline >= settings.growthBytes && sample.at - state.lastReleaseAt >= settings.minGapMs;
  return { release, state: { baseline, lastReleaseAt: release ? sample.at : state.lastReleaseAt } };
}

type GcFunction = () => void;

/** V8's `gc` from a fresh context, with the flag on only for that context's creation. */
function takeGcFunction(): GcFunction {
  const own = (globalThis as { gc?: GcFunction }).gc;
  if (own) return own; // the process was started with --expose-gc (the benchmark's servers)
  v8.setFlagsFromString('--expose-gc');
  try {
    return vm.runInNewContext('gc') as GcFunction;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
}

/** Counters for /metrics: process-wide, like the heap itself. */
export const heapReleases = { count: 0, freedBytes: 0 };

export class HeapReleaser {
  private readonly timer: NodeJS.Timeout;
  private readonly gc: GcFunction;
  private elu: EventLoopUtilization = performance.eventLoopUtilization();
  private state: ReleaseState;

  constructor(private readonly settings: HeapReleaseSettings) {
    this.gc = takeGcFunction();
    this.state = { baseline: v8.getHeapStatistics().total_heap_size, lastReleaseAt: 0 };
    this.timer = setInterval(() => this.tick(), settings.everyMs);
    this.timer.unref();
  }

  private tick(): void {
    const now = performance.eventLoopUtilization();
    const utilization = performance.eventLoopUtilization(now, this.elu).utilization;
    this.elu = now;
    const before = v8.getHeapStatistics().total_heap_size;
    const decision = decideRelease(this.state, { utilization, heapTotal: before, at: Date.now() }, this.settings);
    this.state = decision.state;
    if (!decision.release) return;
    // Compacting every page, not only the fragmented ones a plain full GC picks: without it one
    // GC gave back 26–38 MB of a 216 MB heap (RSS 351–354 MB in the benchmark), with it 144 MB
    // (RSS 243 MB). The flag is V8's and global, so it is on for this one collection only.
    v8.setFlagsFromString('--compact-on-every-full-gc');
    try {
      this.gc(); // no options: Node 20's V8 ignores `{ type: 'major', execution: 'sync' }` (checked with --trace-gc)
    } finally {
      v8.setFlagsFromString('--no-compact-on-every-full-gc');
    }
    const after = v8.getHeapStatistics().total_heap_size;
    heapReleases.count++;
    heapReleases.freedBytes += Math.max(0, before - after);
    this.state = { ...this.state, baseline: after };
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
