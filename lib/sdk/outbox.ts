/**
 * The SDK's bounded buffer of frames not yet acknowledged by the relay. Frames stay here
 * until acked (so they are re-sent after a reconnect, under the same ids, which the relay
 * de-duplicates). When full, `reserve` waits (or fails) — the buffer never grows without bound.
 */
import { XrayError } from '../protocol/errors';
import type { DataFrame } from '../protocol/relay';

export type OverflowPolicy = 'block' | 'reject';

interface Entry {
  frame: DataFrame & { id: string };
  sentAt: number;
}

export class Outbox {
  private readonly entries = new Map<string, Entry>();
  private readonly unsent: string[] = [];
  private waiters: (() => void)[] = [];
  private drainWaiters: (() => void)[] = [];

  constructor(
    readonly capacity: number,
    private readonly policy: OverflowPolicy,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Resolves when there is room for one more frame; rejects with buffer_full under the reject policy. */
  async reserve(): Promise<void> {
    while (this.entries.size >= this.capacity) {
      if (this.policy === 'reject') throw new XrayError('buffer_full', `send buffer full (${this.capacity} unacknowledged frames)`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  add(frame: DataFrame & { id: string }): void {
    if (this.entries.has(frame.id)) return;
    this.entries.set(frame.id, { frame, sentAt: 0 });
    this.unsent.push(frame.id);
  }

  /** Frames queued since the last take, in order, marked as sent now. */
  takeUnsent(max: number, now: number): (DataFrame & { id: string })[] {
    const out: (DataFrame & { id: string })[] = [];
    while (this.unsent.length && out.length < max) {
      const e = this.entries.get(this.unsent.shift()!);
      if (!e) continue;
      e.sentAt = now;
      out.push(e.frame);
    }
    return out;
  }

  get hasUnsent(): boolean {
    return this.unsent.length > 0;
  }

  /** After a reconnect, or when acks are overdue: queue these frames to go again. */
  requeue(filter: (sentAt: number) => boolean = () => true): number {
    const queued = new Set(this.unsent);
    let n = 0;
    for (const [id, e] of this.entries) {
      if (!queued.has(id) && e.sentAt > 0 && filter(e.sentAt)) {
        this.unsent.push(id);
        n++;
      }
    }
    return n;
  }

  /** Settles frames the relay acked (or nacked): frees their room. */
  settle(ids: readonly string[]): void {
    for (const id of ids) this.entries.delete(id);
    const free = this.capacity - this.entries.size;
    for (const w of this.waiters.splice(0, Math.max(0, free))) w();
    if (this.entries.size === 0) for (const w of this.drainWaiters.splice(0)) w();
  }

  /** Resolves once every frame added so far has been settled. */
  drained(): Promise<void> {
    if (this.entries.size === 0) return Promise.resolve();
    return new Promise((r) => this.drainWaiters.push(r));
  }
}
