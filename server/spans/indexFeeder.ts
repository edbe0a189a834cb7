/**
 * Feeds committed events to the span index off the commit path, a slice of about
 * SLICE_BUDGET_MS per event-loop turn, sized from the measured cost per event kind: indexing
 * costs ~100 µs of CPU per bare span and several times that with many attributes, so a
 * 10,000-span OTLP export indexed inside the commit listener would stall the relay for a
 * second (G6). Only span events are queued (tokens are not), and the queue is bounded: past
 * its limit it is dropped and the index catches up from the log instead (same order, same
 * result), so a burst costs memory only up to the bound. Failures (disk full, a bad page in
 * spans.db) never reach the writer: the feeder logs, waits, and catches up from the log until
 * it succeeds (G8).
 *
 * Readers that need to see what was acknowledged before they asked (queries, gate checks)
 * wait for `settled()`: read-your-writes for agents.
 */
import type { XrayEvent } from '../../lib/protocol/events';
import type { EventLog } from '../store/eventLog';
import type { SpanIndex } from './spanIndex';
import { countKinds, KindCostModel } from '../store/kindCostModel';
import { SPAN_EVENT_KINDS } from './spanUpdates';

const SPAN_KINDS = new Set<string>(SPAN_EVENT_KINDS);
/** Events indexed per event-loop turn at most (a bare span costs ~100 µs to index). */
const SLICE = 500;
/** Loop time one turn's slice aims at: its size is set from the measured cost per event kind. */
const SLICE_BUDGET_MS = 8;
/**
 * Events of a kind never indexed that one slice takes (measured on these before it is trusted
 * with more), and the fewest a read from the log asks for. Past that, slices are sized by time.
 */
const PROBE_SLICE = 8;
/** Queued span events before the feeder switches to reading the log. */
const QUEUE_LIMIT = 50_000;

export class IndexFeeder {
  private queue: XrayEvent[] = [];
  private at = 0;
  /** Highest committed seq handed to the feeder. */
  private committed: number;
  /** The queue overflowed or the index failed: read from the log until caught up. */
  private fromLog = false;
  private scheduled = false;
  private retry: NodeJS.Timeout | null = null;
  private waiters: { seq: number; resolve: () => void }[] = [];
  private closed = false;
  readonly stats = { slices: 0, overflows: 0, failures: 0 };
  /** Indexing cost per event, by kind, measured: a span with many attributes costs several times a bare one. */
  private readonly costs: KindCostModel;
  private readonly limits: { slice: number; queue: number; budgetMs: number };

  constructor(
    private readonly index: SpanIndex,
    private readonly log: EventLog,
    /** The writer's head when the feeder starts (everything up to it is in the log already). */
    committed: number,
    limits: { slice?: number; queue?: number; budgetMs?: number } = {},
  ) {
    this.committed = committed;
    this.limits = { slice: SLICE, queue: QUEUE_LIMIT, budgetMs: SLICE_BUDGET_MS, ...limits };
    this.costs = new KindCostModel(this.limits.budgetMs / PROBE_SLICE);
  }

  /** The writer's commit listener: O(batch) filtering, no indexing here. */
  onCommit(events: readonly XrayEvent[]): void {
    for (const e of events) {
      if (e.seq > this.committed) this.committed = e.seq;
      if (!this.fromLog && SPAN_KINDS.has(e.kind)) this.queue.push(e);
    }
    if (!this.fromLog && this.queue.length - this.at > this.limits.queue) {
      this.stats.overflows++;
      this.dropQueue();
    }
    this.schedule();
  }

  private dropQueue(): void {
    this.queue = [];
    this.at = 0;
    this.fromLog = true;
  }

  /** One step at a time: `scheduled` stays set until the step (which may await the log) has ended. */
  private schedule(): void {
    if (this.scheduled || this.retry || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      void this.step().finally(() => {
        this.scheduled = false;
        if (!this.retry && (this.fromLog || this.at < this.queue.length)) this.schedule();
      });
    });
  }

  private async step(): Promise<void> {
    if (this.closed) return;
    try {
      if (this.fromLog) {
        // Bounded by what has been announced: commits announced while the read is out are not
        // queued (fromLog), so the read must be repeated until none came in meanwhile.
        const target = this.committed;
        const limit = this.readLimit();
        const events = await this.log.read({ after: this.index.head, upTo: target, kinds: SPAN_EVENT_KINDS, limit });
        if (this.closed) return;
        if (events.length) this.applyMeasured(events);
        if (events.length < limit) {
          this.index.advance(target);
          // Caught up, and no commit was announced during the read: back to the queue.
          if (this.committed === target) this.fromLog = false;
        }
      } else if (this.at < this.queue.length) {
        const slice = this.queue.slice(this.at, this.nextSliceEnd());
        this.applyMeasured(slice);
        this.at += slice.length;
        if (this.at >= this.queue.length) {
          this.queue = [];
          this.at = 0;
        }
      }
      if (!this.fromLog && this.at >= this.queue.length) this.index.advance(this.committed);
      this.stats.slices++;
    } catch (err) {
      this.stats.failures++;
      console.error(`[spans] index update failed; catching up from the log in 1 s: ${(err as Error).message}`);
      this.dropQueue();
      this.retry = setTimeout(() => {
        this.retry = null;
        this.schedule();
      }, 1000);
      this.retry.unref();
      return;
    }
    this.release();
  }

  /** Where the next slice of the queue ends: as many events as the estimated budget allows. */
  private nextSliceEnd(): number {
    const end = Math.min(this.queue.length, this.at + this.limits.slice);
    let i = this.at;
    for (let predicted = 0; i < end && (i === this.at || predicted < this.limits.budgetMs); i++) predicted += this.costs.estimateMs(this.queue[i].kind);
    return i;
  }

  /**
   * Events to read from the log in one turn: the budget over the dearest kind measured (the
   * kinds are not known before the read; a kind that never occurs must not keep every read at
   * the probe's size).
   */
  private readLimit(): number {
    return Math.max(PROBE_SLICE, Math.min(this.limits.slice, Math.floor(this.limits.budgetMs / this.costs.dearestMeasuredMs())));
  }

  private applyMeasured(events: readonly XrayEvent[]): void {
    const started = performance.now();
    this.index.apply(events);
    this.costs.observe(countKinds(events), performance.now() - started);
  }

  private release(): void {
    if (!this.waiters.length) return;
    const head = this.index.head;
    this.waiters = this.waiters.filter((w) => {
      if (w.seq > head) return true;
      w.resolve();
      return false;
    });
  }

  /** Resolves once everything committed before the call is indexed (or after `timeoutMs`, regardless). */
  settled(timeoutMs = 2000): Promise<void> {
    const seq = this.committed;
    if (this.index.head >= seq) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      t.unref();
      this.waiters.push({
        seq,
        resolve: () => {
          clearTimeout(t);
          resolve();
        },
      });
    });
  }

  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    for (const w of this.waiters.splice(0)) w.resolve();
  }
}
