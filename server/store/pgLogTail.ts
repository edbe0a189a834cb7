/**
 * Multi-node mode's source of committed events: every node tails the shared PostgreSQL log
 * by seq and hands each committed event, exactly once and in seq order, to its commit
 * listeners (model, topic delivery, SSE, fanout) — whichever node wrote it. It is a
 * `CommitSource` (`onCommit(listener)`), the same shape as the single-process writer, so the
 * commit pipeline takes it in place of the writer: in PG mode the node's own writer commits
 * do NOT feed the listeners directly, they arrive here like everyone else's.
 *
 * Waking: LISTEN on the channel every append NOTIFYs at commit (pgEventLog.ts), on a
 * dedicated connection that reconnects by itself; a bounded poll is the fallback (a lost
 * notification, a LISTEN connection that is down). A read only ever asks for `seq > cursor`:
 * seqs are allocated under one lock and become visible in order, so there is no gap to miss.
 */
import pg from 'pg';
import type { XrayEvent } from '../../lib/protocol/events';
import type { EventLog } from './eventLog';
import { LOG_CHANNEL } from './pgEventLog';

export type CommitListener = (events: readonly XrayEvent[]) => void;

/** What the commit pipeline consumes: committed events, in seq order, each once. */
export interface CommitSource {
  onCommit(listener: CommitListener): () => void;
}

export interface PgLogTailOptions {
  /** Deliver events with seq above this (the node's model is built up to here). */
  from: number;
  /** The fallback poll (ms): the longest an event waits when a notification is lost. */
  pollMs?: number;
  /** Events per read. */
  batch?: number;
  /** Whether to LISTEN (tests turn it off to prove the poll alone delivers). */
  listen?: boolean;
}

export class PgLogTail implements CommitSource {
  private readonly listeners = new Set<CommitListener>();
  private readonly waiters = new Set<{ seq: number; resolve(ok: boolean): void; timer: NodeJS.Timeout }>();
  private cursor: number;
  private pumping = false;
  private again = false;
  private closed = false;
  private poll: NodeJS.Timeout | null = null;
  private listener: pg.Client | null = null;
  private reconnect: NodeJS.Timeout | null = null;
  private readonly pollMs: number;
  private readonly batch: number;
  /** Counters for /metrics and tests. */
  readonly stats = { delivered: 0, reads: 0, readFailures: 0, notifications: 0, listenReconnects: 0 };

  constructor(
    private readonly log: EventLog,
    private readonly url: string,
    private readonly options: PgLogTailOptions,
  ) {
    this.cursor = options.from;
    this.pollMs = options.pollMs ?? 1000;
    this.batch = options.batch ?? 1000;
  }

  /** The highest seq delivered to the listeners. */
  get position(): number {
    return this.cursor;
  }

  onCommit(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    if (this.options.listen !== false) await this.connectListener();
    this.poll = setInterval(() => this.wake(), this.pollMs);
    this.poll.unref();
    this.wake();
  }

  /** Read what is new now (a notification, the poll, or this node's own commit). */
  wake(): void {
    if (this.closed) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    void this.pump().finally(() => {
      this.pumping = false;
      if (this.again && !this.closed) {
        this.again = false;
        this.wake();
      }
    });
  }

  /**
   * Resolves true once everything committed up to `seq` has been delivered to the listeners
   * (the writer acks after it, so a node reads its own writes), false after `timeoutMs` (the
   * commit is durable all the same) or when the tail closes.
   */
  reached(seq: number, timeoutMs = 10_000): Promise<boolean> {
    if (this.cursor >= seq) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const waiter = { seq, resolve, timer: setTimeout(() => this.settleWaiter(waiter, false), timeoutMs) };
      waiter.timer.unref();
      this.waiters.add(waiter);
      this.wake(); // our own commit: no need to wait for its notification
    });
  }

  private settleWaiter(w: { resolve(ok: boolean): void; timer: NodeJS.Timeout }, ok: boolean): void {
    clearTimeout(w.timer);
    this.waiters.delete(w as never);
    w.resolve(ok);
  }

  private async pump(): Promise<void> {
    for (;;) {
      let events: XrayEvent[];
      try {
        this.stats.reads++;
        events = await this.log.read({ after: this.cursor, limit: this.batch });
      } catch (err) {
        // PostgreSQL down: the poll tries again; nothing is skipped because the cursor did not move.
        this.stats.readFailures++;
        if (this.stats.readFailures % 20 === 1) console.error(`[tail] cannot read the log after seq ${this.cursor}: ${(err as Error).message}`);
        return;
      }
      if (this.closed || !events.length) return;
      this.cursor = events[events.length - 1].seq;
      this.stats.delivered += events.length;
      for (const l of this.listeners) {
        try {
          l(events);
        } catch (err) {
          // One listener's bug must not stop the node from following the log.
          console.error(`[tail] a commit listener threw: ${(err as Error).stack ?? err}`);
        }
      }
      for (const w of this.waiters) if (w.seq <= this.cursor) this.settleWaiter(w, true);
      if (events.length < this.batch) return;
    }
  }

  private async connectListener(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.url, application_name: 'xray-tail' });
    const retry = () => {
      if (this.listener === client) this.listener = null;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      if (this.closed || this.reconnect) return;
      this.reconnect = setTimeout(() => {
        this.reconnect = null;
        this.stats.listenReconnects++;
        void this.connectListener();
      }, Math.min(5000, this.pollMs));
      this.reconnect.unref();
    };
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', () => {
      this.stats.notifications++;
      this.wake();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${LOG_CHANNEL}`);
      this.listener = client;
      // Anything committed while we were not listening: read it now.
      this.wake();
    } catch {
      retry();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters) this.settleWaiter(w, false);
    if (this.poll) clearInterval(this.poll);
    if (this.reconnect) clearTimeout(this.reconnect);
    const l = this.listener;
    this.listener = null;
    if (l) {
      l.removeAllListeners();
      l.on('error', () => undefined);
      await l.end().catch(() => undefined);
    }
  }
}
