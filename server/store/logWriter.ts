/**
 * The only writer of the event log. Ingest submits events; they are stamped (lamport per
 * trace, in arrival order), de-duplicated against a bounded window of recent ids, and
 * committed in batched transactions. A submit's promise resolves only after its event is
 * durable — that is what acks and 2xx answers wait for. Commit listeners (model, fanout,
 * SSE) see only committed events, in seq order.
 */
import type { NewEvent, XrayEvent } from '../../lib/protocol/events';
import { XrayError } from '../../lib/protocol/errors';
import { BoundedMap } from './boundedMap';
import type { AppendResult, EventLog, ScopedEvent, StampedEvent } from './eventLog';

/** The dedup window's key: an id is only ever a duplicate within its sender's scope (G3). */
const scopedKey = (scope: string | undefined, id: string) => `${scope ?? ''}\u0000${id}`;
import { StorageHealth } from './storageHealth';

export interface SubmitResult extends AppendResult {}

export type CommitListener = (events: readonly XrayEvent[]) => void;

/** One submit call: its events (duplicates already answered) and the slots their results go to. */
interface Pending {
  events: StampedEvent[];
  /** Index into `results` for each event in `events`. */
  slots: number[];
  results: SubmitResult[];
  resolve: (r: SubmitResult[]) => void;
  reject: (e: Error) => void;
}

export interface LogWriterOptions {
  /** Events per transaction at most. */
  maxBatch?: number;
  /** Recent ids remembered to answer duplicates without touching the database. */
  dedupWindow?: number;
  /** Fault injection for tests: hold every commit this long (ms). Never set in production. */
  commitDelayMs?: number;
  /** Queued events above which `overloaded` turns true (ingest should stop reading). */
  highWater?: number;
  /** Shared with the store: while it is not `ok`, submits are refused at once with its code. */
  health?: StorageHealth;
}

export class LogWriter {
  private queue: Pending[] = [];
  private queuedEvents = 0;
  private scheduled = false;
  private readonly drainListeners = new Set<() => void>();
  private readonly highWater: number;
  private closed = false;
  private readonly listeners = new Set<CommitListener>();
  private readonly recent: BoundedMap<string, number>;
  private readonly lamports = new BoundedMap<string, number>(50_000);
  private readonly maxBatch: number;
  private readonly commitDelayMs: number;
  /** Counters for /metrics. */
  readonly stats = { committed: 0, duplicates: 0, batches: 0, failed: 0, refused: 0 };
  readonly health: StorageHealth;

  constructor(
    readonly log: EventLog,
    options: LogWriterOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 5000;
    this.recent = new BoundedMap(options.dedupWindow ?? 200_000);
    this.commitDelayMs = options.commitDelayMs ?? 0;
    this.highWater = options.highWater ?? 20_000;
    this.health = options.health ?? (log as { health?: StorageHealth }).health ?? new StorageHealth();
  }

  /** Events waiting for their commit. */
  get backlog(): number {
    return this.queuedEvents;
  }

  /** True while the backlog is above the high-water mark: ingest should pause reading its sockets. */
  get overloaded(): boolean {
    return this.queuedEvents >= this.highWater;
  }

  /** Called after every commit that leaves the writer below its high-water mark. */
  onDrain(listener: () => void): () => void {
    this.drainListeners.add(listener);
    return () => this.drainListeners.delete(listener);
  }

  onCommit(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Queues events for the next commit; resolves once they are durable (duplicates resolve at
   * once with the seq of the original). One promise per call, not per event: ingest is hot.
   */
  submit(events: readonly ScopedEvent[]): Promise<SubmitResult[]> {
    if (this.closed) return Promise.reject(new XrayError('shutting_down'));
    // Refused before anything is stamped or queued: nothing of a refused submit is ever acked.
    if (this.health.state !== 'ok') {
      this.stats.refused += events.length;
      return Promise.reject(this.health.refusal());
    }
    const results: SubmitResult[] = new Array(events.length);
    const fresh: StampedEvent[] = [];
    const slots: number[] = [];
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      const known = this.recent.get(scopedKey(e.scope, e.id));
      if (known !== undefined) {
        this.stats.duplicates++;
        results[i] = { id: e.id, seq: known, duplicate: true };
        continue;
      }
      fresh.push({ ...e, lamport: this.tick(e.trace_id, e.lamport) } as StampedEvent);
      slots.push(i);
    }
    if (!fresh.length) return Promise.resolve(results);
    return new Promise<SubmitResult[]>((resolve, reject) => {
      this.queue.push({ events: fresh, slots, results, resolve, reject });
      this.queuedEvents += fresh.length;
      this.schedule();
    });
  }

  /** Lamport clock per trace: max(local, incoming) + 1. Resumes from the log after a restart. */
  private tick(traceId: string | null, incoming?: number): number {
    if (!traceId) return 0;
    const local = this.lamports.get(traceId) ?? this.log.maxLamport(traceId);
    const next = Math.max(local, incoming ?? 0) + 1;
    this.lamports.set(traceId, next);
    return next;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      this.flush();
    };
    if (this.commitDelayMs > 0) setTimeout(run, this.commitDelayMs);
    else setImmediate(run);
  }

  /** Commits everything queued now, in batches of whole submits. Synchronous (better-sqlite3). */
  flush(): void {
    // Take the whole queue and walk it by index (shift() on a long array is O(n) per call).
    const queue = this.queue;
    this.queue = [];
    let at = 0;
    while (at < queue.length) {
      const batch: Pending[] = [];
      let size = 0;
      while (at < queue.length && (size === 0 || size + queue[at].events.length <= this.maxBatch)) {
        const p = queue[at++];
        batch.push(p);
        size += p.events.length;
      }
      this.queuedEvents -= size;
      const events = batch.length === 1 ? batch[0].events : batch.flatMap((p) => p.events);
      if (this.health.state !== 'ok') {
        // An earlier batch of this flush failed: do not hammer a failing disk with the rest.
        this.stats.refused += size;
        const error = this.health.refusal();
        for (const p of batch) p.reject(error);
        continue;
      }
      let appended: AppendResult[];
      try {
        appended = this.log.append(events);
      } catch (err) {
        // The transaction rolled back: none of these events is stored, so none is acked.
        this.stats.failed += size;
        const error = err instanceof XrayError ? err : this.health.fail(err, 'write');
        for (const p of batch) p.reject(error);
        continue;
      }
      this.stats.batches++;
      const committed: XrayEvent[] = [];
      for (let i = 0; i < events.length; i++) {
        const r = appended[i];
        const { scope, ...event } = events[i];
        this.recent.set(scopedKey(scope, r.id), r.seq);
        if (r.duplicate) this.stats.duplicates++;
        else committed.push({ ...event, seq: r.seq } as XrayEvent); // the scope stays in the store
      }
      this.stats.committed += committed.length;
      if (committed.length) for (const l of this.listeners) l(committed);
      let k = 0;
      for (const p of batch) {
        for (let j = 0; j < p.events.length; j++) p.results[p.slots[j]] = appended[k++];
        p.resolve(p.results);
      }
    }
    if (!this.overloaded) for (const l of this.drainListeners) l();
  }

  head(): number {
    return this.log.head();
  }

  /** Flushes what is queued, refuses new work, closes the log. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.log.close();
  }
}
