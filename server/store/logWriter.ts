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
import type { AppendResult, EventLog, StampedEvent } from './eventLog';

export interface SubmitResult extends AppendResult {}

export type CommitListener = (events: readonly XrayEvent[]) => void;

interface Pending {
  event: StampedEvent;
  resolve: (r: SubmitResult) => void;
  reject: (e: Error) => void;
}

export interface LogWriterOptions {
  /** Events per transaction at most. */
  maxBatch?: number;
  /** Recent ids remembered to answer duplicates without touching the database. */
  dedupWindow?: number;
  /** Fault injection for tests: hold every commit this long (ms). Never set in production. */
  commitDelayMs?: number;
}

export class LogWriter {
  private queue: Pending[] = [];
  private scheduled = false;
  private closed = false;
  private readonly listeners = new Set<CommitListener>();
  private readonly recent: BoundedMap<string, number>;
  private readonly lamports = new BoundedMap<string, number>(50_000);
  private readonly maxBatch: number;
  private readonly commitDelayMs: number;
  /** Counters for /metrics. */
  readonly stats = { committed: 0, duplicates: 0, batches: 0, failed: 0 };

  constructor(
    readonly log: EventLog,
    options: LogWriterOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 5000;
    this.recent = new BoundedMap(options.dedupWindow ?? 200_000);
    this.commitDelayMs = options.commitDelayMs ?? 0;
  }

  onCommit(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Queues events for the next commit; each promise settles once that event is durable (or is a duplicate). */
  submit(events: readonly NewEvent[]): Promise<SubmitResult[]> {
    if (this.closed) return Promise.reject(new XrayError('shutting_down'));
    return Promise.all(events.map((e) => this.submitOne(e)));
  }

  private submitOne(event: NewEvent): Promise<SubmitResult> {
    const known = this.recent.get(event.id);
    if (known !== undefined) {
      this.stats.duplicates++;
      return Promise.resolve({ id: event.id, seq: known, duplicate: true });
    }
    const stamped = { ...event, lamport: this.tick(event.trace_id, event.lamport) } as StampedEvent;
    return new Promise<SubmitResult>((resolve, reject) => {
      this.queue.push({ event: stamped, resolve, reject });
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

  /** Commits everything queued now, in batches. Synchronous (better-sqlite3). */
  flush(): void {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      let results: AppendResult[];
      try {
        results = this.log.append(batch.map((p) => p.event));
      } catch (err) {
        this.stats.failed += batch.length;
        const error = new XrayError('storage_failed', `storage failed: ${(err as Error).message}`);
        for (const p of batch) p.reject(error);
        continue;
      }
      this.stats.batches++;
      const committed: XrayEvent[] = [];
      for (let i = 0; i < batch.length; i++) {
        const r = results[i];
        this.recent.set(r.id, r.seq);
        if (r.duplicate) this.stats.duplicates++;
        else committed.push({ ...batch[i].event, seq: r.seq } as XrayEvent);
      }
      this.stats.committed += committed.length;
      if (committed.length) for (const l of this.listeners) l(committed);
      for (let i = 0; i < batch.length; i++) batch[i].resolve(results[i]);
    }
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
