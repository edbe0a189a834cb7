/**
 * Span watches: a client (SSE stream or an agent's WebSocket) names a selector and receives
 * each matching span once it is complete, in completion order, tagged with its position
 * (the seq that completed it) so it can resume after a disconnect without loss.
 *
 * Like the topic SSE, each watch is a cursor, not a queue: while it catches up (or its
 * socket is full) it ignores live commits and reads from the index instead, a bounded page
 * per event-loop turn, so a watch resumed from position 0 over a million spans cannot
 * stall the relay.
 */
import type { SelectorList } from '../../lib/selector/parse';
import type { WireSpan } from '../../lib/protocol/spans';
import type { CompletedSpan, IndexedSpan, SpanIndex } from './spanIndex';

/** Where matches go. `full()` true pauses the watch until the sink's owner calls `drained()`. */
export interface WatchSink {
  send(seq: number, span: WireSpan): void;
  full(): boolean;
}

export interface SpanWatch {
  readonly selector: SelectorList;
  cursor: number;
  /** Reading from the index (resume or back-pressure), not from live commits. */
  catchingUp: boolean;
  closed: boolean;
  /** A catch-up step is queued (at most one per watch). */
  scheduled: boolean;
  readonly sink: WatchSink;
}

/** Index rows examined per watch per event-loop turn while catching up. */
const CATCH_UP_ROWS = 500;

export class SpanWatchHub {
  private readonly watches = new Set<SpanWatch>();
  readonly stats = { delivered: 0 };
  /** Watches held by SSE streams (bounded separately from agent sockets' watches). */
  sseCount = 0;

  constructor(private readonly index: SpanIndex) {
    index.onApplied((completed, head) => this.onApplied(completed, head));
  }

  get size(): number {
    return this.watches.size;
  }

  /** Starts a watch after `after` (default: the index head, i.e. from now). */
  add(selector: SelectorList, sink: WatchSink, after?: number): SpanWatch {
    const watch: SpanWatch = { selector, cursor: after ?? this.index.head, catchingUp: false, closed: false, scheduled: false, sink };
    this.watches.add(watch);
    if (after !== undefined && after < this.index.head) this.resume(watch);
    return watch;
  }

  remove(watch: SpanWatch): void {
    watch.closed = true;
    this.watches.delete(watch);
  }

  /** Starts reading from the index after the watch's cursor. */
  private resume(watch: SpanWatch): void {
    watch.catchingUp = true;
    this.schedule(watch);
  }

  private schedule(watch: SpanWatch): void {
    if (watch.scheduled || watch.closed) return;
    watch.scheduled = true;
    setImmediate(() => {
      watch.scheduled = false;
      this.catchUpStep(watch);
    });
  }

  private catchUpStep(watch: SpanWatch): void {
    if (watch.closed || watch.sink.full()) return; // a full sink calls drained() later
    const rows = this.index.completedAfter(watch.cursor, CATCH_UP_ROWS);
    const parentOf = this.index.parentLookup();
    for (const span of rows) {
      const hit = this.index.matches(span, watch.selector, parentOf);
      if (parentOf.exhausted) break; // undecided: the next step starts with this span
      watch.cursor = span.seq!;
      if (hit) this.deliver(watch, span.seq!, span);
      if (watch.sink.full()) return; // stays catchingUp; the sink's drain calls drained()
    }
    if (rows.length < CATCH_UP_ROWS && !parentOf.exhausted) {
      // Everything completed so far has been seen: go live from the index head. Synchronous
      // with the read above, so no commit can slip between them.
      watch.cursor = Math.max(watch.cursor, this.index.head);
      watch.catchingUp = false;
      return;
    }
    this.schedule(watch);
  }

  /** A sink that was full can take more again (SSE `drain`): continue from the index. */
  drained(watch: SpanWatch): void {
    if (watch.catchingUp) this.schedule(watch);
  }

  private deliver(watch: SpanWatch, seq: number, span: IndexedSpan): void {
    this.stats.delivered++;
    try {
      watch.sink.send(seq, span);
    } catch (err) {
      // One broken sink must not stop delivery to the others.
      console.error(`[spans] watch delivery failed, closing the watch: ${(err as Error).message}`);
      this.remove(watch);
    }
  }

  private onApplied(completed: readonly CompletedSpan[], head: number): void {
    // Shared by every watch for this commit: siblings and watches share ancestors.
    const parentOf = this.index.parentLookup();
    for (const watch of this.watches) {
      if (watch.catchingUp) continue;
      if (watch.sink.full()) {
        // Fell behind: from now on it reads from the index when the sink drains.
        watch.catchingUp = true;
        continue;
      }
      let undecided = false;
      for (const c of completed) {
        if (c.seq <= watch.cursor) continue;
        const hit = this.index.matches(c.span, watch.selector, parentOf);
        if (parentOf.exhausted && watch.selector.alternatives.some((a) => a.path.length > 1)) {
          // Too much ancestor work in this commit: this watch continues from the index.
          undecided = true;
          watch.catchingUp = true;
          this.schedule(watch);
          break;
        }
        if (hit) this.deliver(watch, c.seq, c.span);
        watch.cursor = c.seq;
      }
      if (!undecided) watch.cursor = Math.max(watch.cursor, head);
    }
  }
}
