/**
 * Feeds committed events to the span index off the commit path, a bounded slice per
 * event-loop turn: indexing costs ~100 µs of CPU per span, so a 10,000-span OTLP export
 * indexed inside the commit listener would stall the relay for a second (G6). Only span
 * events are queued (tokens are not), and the queue is bounded: past its limit it is dropped
 * and the index catches up from the log instead (same order, same result), so a burst costs
 * memory only up to the bound. Failures (disk full, a bad page in spans.db) never reach the
 * writer: the feeder logs, waits, and catches up from the log until it succeeds (G8).
 *
 * Readers that need to see what was acknowledged before they asked (queries, gate checks)
 * wait for `settled()`: read-your-writes for agents.
 */
import type { XrayEvent } from '../../lib/protocol/events';
import type { EventLog } from '../store/eventLog';
import type { SpanIndex } from './spanIndex';
import { SPAN_EVENT_KINDS } from './spanUpdates';

const SPAN_KINDS = new Set<string>(SPAN_EVENT_KINDS);
/** Events indexed per event-loop turn (≈ 50 ms of CPU at worst). */
const SLICE = 500;
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

  constructor(
    private readonly index: SpanIndex,
    private readonly log: EventLog,
    /** The writer's head when the feeder starts (everything up to it is in the log already). */
    committed: number,
    private readonly limits = { slice: SLICE, queue: QUEUE_LIMIT },
  ) {
    this.committed = committed;
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
        const events = await this.log.read({ after: this.index.head, upTo: target, kinds: SPAN_EVENT_KINDS, limit: this.limits.slice });
        if (this.closed) return;
        if (events.length) this.index.apply(events);
        if (events.length < this.limits.slice) {
          this.index.advance(target);
          // Caught up, and no commit was announced during the read: back to the queue.
          if (this.committed === target) this.fromLog = false;
        }
      } else if (this.at < this.queue.length) {
        const slice = this.queue.slice(this.at, this.at + this.limits.slice);
        this.index.apply(slice);
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
