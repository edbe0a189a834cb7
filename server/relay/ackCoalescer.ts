/**
 * One connection's acks, coalesced. An ack costs a WebSocket frame (a syscall, a frame for the
 * agent to parse) whatever it carries, so under load a connection that keeps many acked
 * messages in flight would otherwise get about one `ack` per commit for each of them. Like
 * TCP's delayed ACK, acks wait to leave together — but only while they have company coming:
 *
 * - every ack queued while one commit hands out its results leaves as ONE `ack` (a microtask
 *   runs after the rest of that commit's callbacks): no added wait;
 * - while more of this connection's acked messages are still waiting for their commit, the
 *   ready ids are held for them, for at most `holdMs` and only until they number MAX_IDS_PER_ACK;
 * - the moment nothing else is owed (a sender awaiting each ack, the end of a stream, a
 *   `flush()`), everything held leaves at once: holding never outlasts the sender's pipeline.
 *
 * A failed write answers with its `nack` at once and releases the held acks with it.
 * Acks always follow their commit (G2): only durable ids are ever queued here.
 */
import type { RelayToAgent } from '../../lib/protocol/relay';

/** Ids held for one `ack` before it leaves anyway (~20 KB of ids; one message's ids are never split). */
export const MAX_IDS_PER_ACK = 512;

export class AckCoalescer {
  /** Ack-wanting messages handed to the writer and not yet answered (ack or nack). */
  private owed = 0;
  private ready: string[] | null = null;
  private flushQueued = false;
  private holdTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly send: (message: RelayToAgent) => void,
    /** Longest an ack is held for company (0: one `ack` per connection per commit, never held). */
    private readonly holdMs: number,
  ) {}

  /** An acked message went to the writer: it will be answered by `ack` or `nack`, exactly once. */
  expect(): void {
    this.owed++;
  }

  /**
   * An expected message committed: its ids are durable. The array becomes the coalescer's (it
   * may leave as the ack's own list, uncopied): pass one made for this answer.
   */
  ack(ids: string[]): void {
    this.owed--;
    if (this.closed) return; // commits go on answering after a close; nothing more is sent
    if (this.ready) for (const id of ids) this.ready.push(id);
    else this.ready = ids;
    if (this.flushQueued) return;
    if (this.owed > 0 && this.holdMs > 0 && this.ready.length < MAX_IDS_PER_ACK) {
      this.holdTimer ??= setTimeout(this.flush, this.holdMs);
      return;
    }
    this.flushQueued = true;
    queueMicrotask(this.flush);
  }

  /**
   * A message failed to commit: what was held leaves now, then its nack. Every failed write is
   * nacked, acked or not (`expected`: it was announced with `expect`, so it is no longer owed).
   */
  nack(message: Extract<RelayToAgent, { type: 'nack' }>, expected: boolean): void {
    if (expected) this.owed--;
    this.flush();
    this.send(message);
  }

  /** The connection closed: nothing more goes out, and no timer outlives it. */
  close(): void {
    this.closed = true;
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = null;
    this.ready = null;
  }

  private readonly flush = (): void => {
    this.flushQueued = false;
    if (this.holdTimer) {
      clearTimeout(this.holdTimer);
      this.holdTimer = null;
    }
    const ids = this.ready;
    this.ready = null;
    if (ids) this.send({ type: 'ack', ids });
  };
}
