/**
 * The fanout's in-memory window: the most recent committed events, in seq order, bounded
 * by count and by (estimated) bytes. A client whose cursor is still inside it gets a delta
 * from it; one that fell behind gets a snapshot instead. Memory is one bounded ring,
 * whatever the clients do.
 */
import type { XrayEvent } from '../../lib/protocol/events';
import { assertNever } from '../../lib/assertNever';

/**
 * The heap one token/broadcast event's envelope takes besides its text: measured in a heap
 * snapshot of the window (issue 18) at ~250 bytes (the object, its `data`, the id and
 * trace-id strings, the timestamp) once every committed event shares one hidden class.
 */
const ENVELOPE_BYTES = 256;

/** A cheap size estimate: envelope plus the text or payload it carries (2 bytes a character: text may be two-byte). */
export function approxEventBytes(e: XrayEvent): number {
  switch (e.kind) {
    case 'token':
      return ENVELOPE_BYTES + e.data.text.length * 2;
    case 'broadcast':
      return ENVELOPE_BYTES + e.data.payload.length * 2;
    case 'call.request':
    case 'call.response':
      return 250 + e.data.payload.length * 2;
    // Bounded by their schemas: attributes and gate verdicts are capped, the rest is small.
    case 'agent.connect':
    case 'agent.register':
    case 'agent.disconnect':
    case 'call.error':
    case 'call.timeout':
    case 'subscribe':
    case 'span.start':
    case 'span.end':
    case 'gate.check':
    case 'alert.transition':
      return 400;
    default:
      return assertNever(e, 'event');
  }
}

export class EventWindow {
  private readonly ring: (XrayEvent | undefined)[];
  private readonly sizes: Float64Array;
  private start = 0; // index of the oldest event
  private count = 0;
  private bytes = 0;
  /**
   * Every event with a seq above this is in the ring (pushes come in seq order). Infinity
   * until the first push: an empty window that was never reset knows nothing.
   */
  private complete = Infinity;

  constructor(
    readonly capacity: number,
    readonly maxBytes = 32 * 1024 * 1024,
  ) {
    this.ring = new Array(capacity);
    this.sizes = new Float64Array(capacity);
  }

  private dropOldest(): void {
    this.bytes -= this.sizes[this.start];
    this.complete = this.ring[this.start]!.seq;
    this.ring[this.start] = undefined;
    this.start = (this.start + 1) % this.capacity;
    this.count--;
  }

  push(events: readonly XrayEvent[]): void {
    for (const e of events) {
      if (this.complete === Infinity) this.complete = e.seq - 1;
      if (this.count === this.capacity) this.dropOldest();
      const at = (this.start + this.count) % this.capacity;
      const size = approxEventBytes(e);
      this.ring[at] = e;
      this.sizes[at] = size;
      this.bytes += size;
      this.count++;
      while (this.bytes > this.maxBytes && this.count > 1) this.dropOldest();
    }
  }

  get size(): number {
    return this.count;
  }

  get approxBytes(): number {
    return this.bytes;
  }

  /**
   * Empties the window (its memory goes with it), which from now on holds every event after
   * `head`: the seq of the last event committed before it, pushed or not. A cursor below
   * `head` is then served by a snapshot, never by a delta with a gap. `Infinity`: the window
   * stops knowing anything (its owner stops pushing), and every read answers undefined.
   */
  reset(head: number): void {
    this.ring.fill(undefined);
    this.sizes.fill(0);
    this.start = 0;
    this.count = 0;
    this.bytes = 0;
    this.complete = head;
  }

  /** The lowest seq a cursor may hold and still be served from the window. */
  get floor(): number {
    return this.complete;
  }

  /**
   * Events with seq in (cursor, upTo], at most `max`; undefined when the cursor is below the
   * window (the caller must snapshot). Seqs may have gaps (duplicates never get one).
   */
  since(cursor: number, upTo: number, max: number): XrayEvent[] | undefined {
    if (cursor < this.floor) return undefined;
    if (this.count === 0) return [];
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ring[(this.start + mid) % this.capacity]!.seq <= cursor) lo = mid + 1;
      else hi = mid;
    }
    const out: XrayEvent[] = [];
    for (let i = lo; i < this.count && out.length < max; i++) {
      const e = this.ring[(this.start + i) % this.capacity]!;
      if (e.seq > upTo) break;
      out.push(e);
    }
    return out;
  }
}
