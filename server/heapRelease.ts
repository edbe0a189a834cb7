/**
 * Lets V8 give the heap back when the server goes quiet after a burst.
 *
 * Why: under ingest V8 lets the old generation grow to several times the live data (see
 * heapGrowth.ts) and only shrinks it in a memory-reducing GC. Its memory reducer starts those
 * by itself once the process looks idle, but in the server it did not for the 40 s of quiet
 * the benchmark watched (1M events logged, 100 dashboards: RSS 385–396 MB, ~74 MB live).
 * `--trace-gc-verbose --trace-mutator-utilization` shows why: every 8 s the reducer judged the
 * allocation rate "high". V8 averages that rate over the last ten scavenges, and a quiet
 * server scavenges rarely (its trickle fills the new space only every few seconds), so the
 * burst's scavenges stay in the average long after the burst; forcing scavenges does not
 * help, as each one drags V8's measured scavenge speed down with it.
 *
 * The reducer has one other way in: it also starts when V8 is told to optimize for memory
 * (`--optimize-for-size`; the state a browser puts a background tab in). So the process
 * watches itself: every `everyMs` it reads its event-loop utilization and the committed heap.
 * Once the loop is quiet and the heap has grown by `growthBytes` since it was last low, it
 * turns that flag on; it turns it off as soon as the loop gets busy again, the heap is back
 * down, or the episodes spent on this growth reach `maxMsPerGrowth` in all (so a server whose
 * load comes and goes does not flip the flag forever, and one whose live heap really grew
 * accepts that as its new floor). V8 then does what it does for a background tab: up to three
 * incremental, compacting GCs, the first at the reducer's next 8 s tick. Measured here with 1M
 * events and 100 dashboards: RSS 209.5–211.7 MB after 10–20 s of quiet; the GCs' final pauses
 * were 16–59 ms (marking in steps of at most 16 ms), against the 133–148 ms atomic pause of the
 * forced compacting GC this module ran before (which the [G6] loop bound could not afford).
 *
 * While the flag is on V8 also keeps a smaller new space (8 MB instead of 32 here) and
 * computes tighter heap limits; both return to normal once it is off (checked: the new space
 * regrows to 32 MB under the next churn). The flag is process-wide, so the log's writer
 * thread, quiet at the same moments, is reduced too.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import v8 from 'node:v8';

export interface HeapReleaseSettings {
  /** How often the process looks at itself. */
  everyMs: number;
  /** The loop counts as quiet when it was busy less than this share of the last interval. */
  quietBelow: number;
  /**
   * An episode ends when the loop is busier than this. Higher than `quietBelow` because the
   * reducer's own incremental GC keeps the loop ~10% busy; that must not end the episode.
   */
  busyAbove: number;
  /** Start an episode when the committed heap is this much above its floor. */
  growthBytes: number;
  /**
   * Episode time one growth may use in all, across episodes cut short by load; then the heap as
   * it is becomes the floor. The reducer's first GC comes at its next 8 s tick, the other two
   * ~0.5 s apart after it, so 30 s leaves room for a tick missed while the loop was busy.
   */
  maxMsPerGrowth: number;
}

export const DEFAULT_HEAP_RELEASE: Omit<HeapReleaseSettings, 'growthBytes'> = { everyMs: 1000, quietBelow: 0.1, busyAbove: 0.25, maxMsPerGrowth: 30_000 };

export interface HeapSample {
  /** Event-loop utilization over the interval just ended, 0–1. */
  utilization: number;
  /** V8's committed heap (total_heap_size), bytes. */
  heapTotal: number;
  /** Monotonic ms (performance.now()): a wall clock set back must not stretch an episode. */
  at: number;
}

export interface ReleaseState {
  /** The floor growth is measured from: the lowest committed heap seen since it was last set (at start, or by a timeout). */
  baseline: number;
  /** The episode under way: when it started and the heap then; null when none is. */
  episode: { since: number; heapAtStart: number } | null;
  /** Episode time already spent on the current growth (episodes that load cut short). */
  usedMs: number;
}

export type ReleaseEvent = { kind: 'start' } | { kind: 'end'; why: 'busy' | 'released' | 'timeout'; freedBytes: number } | null;

/**
 * The state after one sample, and whether an episode (V8 told to optimize for memory) started
 * or ended with it. Pure.
 */
export function stepRelease(state: ReleaseState, sample: HeapSample, settings: HeapReleaseSettings): { state: ReleaseState; event: ReleaseEvent } {
  const baseline = Math.min(state.baseline, sample.heapTotal);
  const grown = sample.heapTotal - baseline >= settings.growthBytes;
  const { episode } = state;
  if (!episode) {
    // V8 gave the growth back by itself: the next growth starts with a whole budget.
    const usedMs = grown ? state.usedMs : 0;
    const start = sample.utilization < settings.quietBelow && grown && usedMs < settings.maxMsPerGrowth;
    return { state: { baseline, episode: start ? { since: sample.at, heapAtStart: sample.heapTotal } : null, usedMs }, event: start ? { kind: 'start' } : null };
  }
  const usedMs = state.usedMs + Math.max(0, sample.at - episode.since);
  const spent = usedMs >= settings.maxMsPerGrowth;
  const why = sample.utilization > settings.busyAbove ? 'busy' : !grown ? 'released' : spent ? 'timeout' : null;
  if (!why) return { state: { baseline, episode, usedMs: state.usedMs }, event: null };
  const event = { kind: 'end', why, freedBytes: Math.max(0, episode.heapAtStart - sample.heapTotal) } as const;
  // Given back: growth is measured from the lowest point again, with a whole budget.
  if (why === 'released') return { state: { baseline, episode: null, usedMs: 0 }, event };
  // The budget is spent (whether this episode ended quiet or busy): what V8 could give back is
  // the new floor, and the next episode waits for new growth from there.
  if (spent) return { state: { baseline: sample.heapTotal, episode: null, usedMs: 0 }, event };
  // Load came back: the next quiet moment tries again, on what is left of this growth's budget.
  return { state: { baseline, episode: null, usedMs }, event };
}

/** Counters for /metrics: process-wide, like the heap itself. */
export const heapReleases = { count: 0, freedBytes: 0 };

export class HeapReleaser {
  private readonly timer: NodeJS.Timeout;
  private elu: EventLoopUtilization = performance.eventLoopUtilization();
  private state: ReleaseState;

  constructor(private readonly settings: HeapReleaseSettings) {
    this.state = { baseline: v8.getHeapStatistics().total_heap_size, episode: null, usedMs: 0 };
    this.timer = setInterval(() => this.tick(), settings.everyMs);
    this.timer.unref();
  }

  private tick(): void {
    const now = performance.eventLoopUtilization();
    const utilization = performance.eventLoopUtilization(now, this.elu).utilization;
    this.elu = now;
    const { state, event } = stepRelease(this.state, { utilization, heapTotal: v8.getHeapStatistics().total_heap_size, at: performance.now() }, this.settings);
    this.state = state;
    if (event?.kind === 'start') {
      heapReleases.count++;
      v8.setFlagsFromString('--optimize-for-size');
    } else if (event?.kind === 'end') {
      heapReleases.freedBytes += event.freedBytes;
      v8.setFlagsFromString('--no-optimize-for-size');
    }
  }

  /** Ends any episode (the flag goes back off) and stops watching. */
  stop(): void {
    clearInterval(this.timer);
    if (this.state.episode) {
      heapReleases.freedBytes += Math.max(0, this.state.episode.heapAtStart - v8.getHeapStatistics().total_heap_size);
      v8.setFlagsFromString('--no-optimize-for-size');
    }
    this.state = { ...this.state, episode: null };
  }
}
