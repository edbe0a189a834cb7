/**
 * The only writer of the event log. Ingest submits events; they are stamped (lamport per
 * trace, in arrival order) and committed in batched transactions, where the log's unique
 * (id, scope) index answers duplicates. A submit is answered only after its events are
 * durable — that is what acks and 2xx answers wait for. Commit listeners (model, fanout,
 * SSE) see only committed events, in seq order.
 *
 * The log is asynchronous (EventLog): one transaction is in flight at a time, one `append`
 * (one promise) per transaction. Everything the order depends on — taking submits off the
 * queue, stamping lamports, telling listeners — happens in synchronous sections, so
 * arrival order, seq order and each trace's lamport order stay the same.
 */
import type { XrayEvent } from '../../lib/protocol/events';
import { XrayError } from '../../lib/protocol/errors';
import { GenerationalMap } from './generationalMap';
import { committedEvent } from './committedEvent';
import { countKinds, KindCostModel } from './kindCostModel';
import type { AppendResult, EventLog, ScopedEvent, StampedEvent } from './eventLog';
import { StorageHealth } from './storageHealth';
import { MsHistogramRecorder } from '../msHistogram';

export interface SubmitResult extends AppendResult {}

export type CommitListener = (events: readonly XrayEvent[]) => void;

/** One submit call: its events, their results as commits answer them, and how many are committed. */
interface Pending {
  events: readonly ScopedEvent[];
  results: SubmitResult[];
  /** Events of this submit already committed (a large submit commits in several transactions). */
  done: number;
  /** Called once: with the results when the last part is durable, or with the error that refused it. */
  settle: SubmitCallback;
}

/** How a submit is answered on the callback path (`enqueue`): an error, or the results. */
export type SubmitCallback = (err: XrayError | null, results: SubmitResult[] | null) => void;

/**
 * Events of a kind never committed that one transaction takes: it is measured on this many
 * before it is trusted with more. Past that, a transaction is sized by time alone (at least
 * one event): at 2 ms per event (an OTLP span with large attributes), any fixed minimum of
 * events would be a fixed multiple of the budget.
 */
const PROBE_BATCH = 16;

/** A failed commit's error (already coded by the storage health): for a submit that had parts committed already, it says which. */
function failure(err: XrayError, p: Pending): XrayError {
  if (p.done === 0) return err;
  // Ids are idempotency keys: retrying the whole request stores only what is missing.
  const committedIds = p.results.slice(0, p.done).map((r) => r.id);
  return new XrayError(err.code, `${err.message}; ${p.done} of ${p.events.length} events were committed before the failure — retrying the same request is safe (ids are idempotency keys)`, {
    committed: p.done,
    committed_ids: committedIds.length <= 1000 ? committedIds : undefined,
  });
}

/**
 * Answers a submit. A callback that throws is reported and goes no further: inside a commit it
 * would stop the commit answering the other submits (a promise's resolve never throws; a
 * callback can), and a refusal is answered the same way for the same callbacks.
 */
function settleSafely(settle: SubmitCallback, err: XrayError | null, results: SubmitResult[] | null): void {
  try {
    settle(err, results);
  } catch (thrown) {
    console.error('[log] a submit callback threw:', thrown);
  }
}

/** Answers a submit from inside a commit: its results, or the error that ended it. */
function answer(p: Pending, err: XrayError | null): void {
  settleSafely(p.settle, err, err ? null : p.results);
}

export interface LogWriterOptions {
  /** Events per transaction at most. */
  maxBatch?: number;
  /** Traces whose lamport clock is held in memory (the rest are read from the log when they come back). */
  clockWindow?: number;
  /** Fault injection for tests: hold every commit this long (ms). Never set in production. */
  commitDelayMs?: number;
  /** Queued events above which `overloaded` turns true (ingest should stop reading). */
  highWater?: number;
  /** Target time (ms) of one transaction: the batch size adapts to it so a large ingest never holds the event loop long. */
  commitBudgetMs?: number;
  /** Shared with the store: while it is not `ok`, submits are refused at once with its code. */
  health?: StorageHealth;
  /**
   * Multi-node mode: the log tail tells the commit listeners, not the writer — every node's
   * events, this node's own among them, once and in seq order. A submit then resolves once
   * the tail has delivered its events too (the node reads its own writes), or after the tail's
   * bound; the commit is durable either way.
   */
  announcer?: CommitAnnouncer;
}

/** Who tells commit listeners in multi-node mode (PgLogTail). */
export interface CommitAnnouncer {
  onCommit(listener: CommitListener): () => void;
  /** The highest seq delivered to the listeners. */
  readonly position: number;
  /** Resolves once `seq` has been delivered (true) or the wait gave up (false). */
  reached(seq: number): Promise<boolean>;
}

export class LogWriter {
  /** Submits waiting, from `qHead` on (an index, not shift(): the queue can be long). */
  private queue: Pending[] = [];
  private qHead = 0;
  private queuedEvents = 0;
  private scheduled = false;
  private readonly drainListeners = new Set<() => void>();
  private readonly highWater: number;
  private closed = false;
  private readonly listeners = new Set<CommitListener>();
  private readonly lamports: GenerationalMap<string, number>;
  private readonly maxBatch: number;
  private readonly commitDelayMs: number;
  private readonly commitBudgetMs: number;
  /** Commit cost per event, by kind, measured: sizes each transaction to the time budget. */
  private readonly costs: KindCostModel;
  /** Counters for /metrics. */
  readonly stats = { committed: 0, duplicates: 0, batches: 0, failed: 0, refused: 0 };
  /** Wall time of each commit's store part (ms), from reading the clocks to the store's answer, failures included: a stalled store shows here first. */
  readonly commitTime = new MsHistogramRecorder([1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500]);
  readonly health: StorageHealth;

  /**
   * The highest seq this writer knows to be committed: the log's head when it opened, then the
   * last seq of each commit, set before the commit's listeners run. Synchronous on purpose and
   * OFF the EventLog interface: it is the point up to which in-process consumers (the model,
   * SSE streams, the span feeder) have been told, so a reader that catches up from the log up
   * to it and then goes live misses nothing and repeats nothing — an awaited `log.head()`
   * could already include a commit whose listeners have not run yet.
   */
  private committedHead: number;
  private readonly announcer: CommitAnnouncer | null;

  /** Opens a writer over a log, reading the log's head once (the writer is the only one that moves it after). */
  static async open(log: EventLog, options: LogWriterOptions = {}): Promise<LogWriter> {
    return new LogWriter(log, await log.head(), options);
  }

  private constructor(
    readonly log: EventLog,
    head: number,
    options: LogWriterOptions = {},
  ) {
    this.committedHead = head;
    this.announcer = options.announcer ?? null;
    // Other nodes stamp the same traces: the clock of a trace this writer knows moves past
    // every stamp the tail brings, so a stamp here follows whatever caused it (G4).
    this.announcer?.onCommit((events) => {
      for (const e of events) {
        if (!e.trace_id) continue;
        const known = this.lamports.get(e.trace_id);
        if (known !== undefined && known < e.lamport) this.lamports.set(e.trace_id, e.lamport);
      }
    });
    this.maxBatch = options.maxBatch ?? 5000;
    this.lamports = new GenerationalMap(options.clockWindow ?? 50_000);
    this.commitDelayMs = options.commitDelayMs ?? 0;
    // Two commits' worth at the rates measured here (a 10 ms commit takes ~2,500–3,000 events),
    // enough to keep the writer busy while paused sockets resume. Deeper, events wait long enough
    // to survive scavenges: at 20,000 a saturated single-frame ingest spent 4.0 µs per token in
    // scavenges (58% of the young generation survived each), at 5,000 3.05 (issue 18, --trace-gc).
    this.highWater = options.highWater ?? 5_000;
    this.commitBudgetMs = options.commitBudgetMs ?? 10;
    this.costs = new KindCostModel(this.commitBudgetMs / PROBE_BATCH);
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
    if (this.announcer) return this.announcer.onCommit(listener);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Queues events for the next commit; resolves once they are durable (a duplicate with the
   * seq of the original, found by the log at commit). One promise per call, not per event.
   */
  submit(events: readonly ScopedEvent[]): Promise<SubmitResult[]> {
    return new Promise<SubmitResult[]>((resolve, reject) => this.enqueue(events, (err, results) => (err ? reject(err) : resolve(results!))));
  }

  /**
   * `submit` for the ingest hot path, answered by a callback: one closure per message instead
   * of a promise, its reaction and their closures (a single-frame token is one message, and
   * the promise machinery was a third of what ingest allocated per token, issue 18).
   * `settle` runs once: at commit with the results, or with the coded error. A refusal (closed,
   * store not ok) and an empty submit are answered before `enqueue` returns.
   */
  enqueue(events: readonly ScopedEvent[], settle: SubmitCallback): void {
    if (this.closed) return settleSafely(settle, new XrayError('shutting_down'), null);
    // Refused before anything is stamped or queued: nothing of a refused submit is ever acked.
    if (this.health.state !== 'ok') {
      this.stats.refused += events.length;
      return settleSafely(settle, this.health.refusal(), null);
    }
    // Nothing to commit: a commit would take it off the queue and never answer it.
    if (!events.length) return settleSafely(settle, null, []);
    // Duplicates are the log's to find, at commit (its unique (id, scope) index answers them with
    // the original's seq): an in-memory window of recent ids in front of it cost 13% of a batched
    // ingest's CPU (hashing every id twice) to answer a rare retry one commit sooner (issue 18).
    this.queue.push({ events, results: new Array(events.length), done: 0, settle });
    this.queuedEvents += events.length;
    this.schedule();
  }

  /**
   * Submits a large batch (a 4 MiB OTLP export) a part at a time, each part queued only when
   * the previous one is durable: the writer never holds more than a part of it, so it never
   * turns `overloaded` because of one request and agents' sockets keep being read. Resolves
   * after the last part. If a part fails, the error says how many events of the whole batch
   * were committed before it (ids are idempotency keys: retrying the batch is safe).
   */
  async submitInParts(events: readonly ScopedEvent[], partSize = 1000): Promise<SubmitResult[]> {
    const results: SubmitResult[] = [];
    for (let at = 0; at < events.length; at += partSize) {
      try {
        for (const r of await this.submit(events.slice(at, at + partSize))) results.push(r);
      } catch (err) {
        if (!(err instanceof XrayError) || at === 0) throw err;
        const committed = at + Number(err.details?.committed ?? 0);
        throw new XrayError(err.code, `${err.message.split(';')[0]}; ${committed} of ${events.length} events were committed before the failure — retrying the same request is safe (ids are idempotency keys)`, { committed });
      }
    }
    return results;
  }

  /**
   * Keeps the sender's scope: the store needs it for the (scope, id) key. One object literal per
   * event, never a spread (`{ ...e, lamport }` is a slow path in V8 and this runs per event).
   */
  private stamp(e: ScopedEvent, resumed: ReadonlyMap<string, number>): StampedEvent {
    return {
      id: e.id,
      ts: e.ts,
      t: e.t,
      kind: e.kind,
      trace_id: e.trace_id,
      span_id: e.span_id,
      parent_span_id: e.parent_span_id,
      agent: e.agent,
      peer: e.peer,
      topic: e.topic,
      lamport: this.tick(e.trace_id, e.lamport, resumed),
      data: e.data,
      scope: e.scope,
    } as StampedEvent;
  }

  /** Lamport clock per trace: max(local, incoming) + 1. `resumed` holds the clock of every trace of this commit as it began. */
  private tick(traceId: string | null, incoming: number | undefined, resumed: ReadonlyMap<string, number>): number {
    if (!traceId) return 0;
    const local = Math.max(this.lamports.get(traceId) ?? 0, resumed.get(traceId) ?? 0);
    const next = Math.max(local, incoming ?? 0) + 1;
    this.lamports.set(traceId, next);
    return next;
  }

  /**
   * The clock of every trace of this commit as the commit begins: the writer's own, or the
   * log's for a trace it holds none for (after a restart, or dropped from the map), one read per
   * such trace, all in parallel. Held for the whole commit: the map can drop a generation while
   * this commit stamps (or, in multi-node mode, while the tail sets clocks during the reads), and
   * a dropped clock must not restart at 0.
   */
  private async resumeClocks(parts: readonly { p: Pending; from: number; to: number }[]): Promise<Map<string, number>> {
    const clocks = new Map<string, number>();
    const unknown: string[] = [];
    for (const { p, from, to } of parts) {
      for (let j = from; j < to; j++) {
        const t = p.events[j].trace_id;
        if (!t || clocks.has(t)) continue;
        const known = this.lamports.get(t);
        clocks.set(t, known ?? 0);
        if (known === undefined) unknown.push(t);
      }
    }
    if (!unknown.length) return clocks;
    const read = await Promise.all(unknown.map((t) => this.log.maxLamport(t)));
    unknown.forEach((t, i) => clocks.set(t, Math.max(clocks.get(t)!, read[i])));
    return clocks;
  }

  /** The last commit started: commits run one after another, never two at once (order). */
  private tail: Promise<void> = Promise.resolve();

  /** Starts the next commit once the one in flight has ended. */
  private commitNext(): Promise<void> {
    const next = this.tail.then(() => this.commitOne());
    // commitOne answers store failures itself; only a throwing commit listener rejects here.
    // That is reported by whoever awaits `next` (an unhandled rejection for the scheduled run,
    // as it was an uncaught exception before), and must not stop the commits after it.
    this.tail = next.catch(() => undefined);
    return next;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const run = () => {
      void this.commitNext().finally(() => {
        this.scheduled = false;
        // More queued: the next transaction waits for a turn of the event loop, so acks,
        // reads and fanout ticks run between the parts of a large ingest.
        if (this.qHead < this.queue.length && !this.closed) this.schedule();
      });
    };
    if (this.commitDelayMs > 0) setTimeout(run, this.commitDelayMs);
    else setImmediate(run);
  }

  /** True while the next transaction may take another event: under its time budget (estimated per kind) and its size caps. */
  private fits(size: number, predictedMs: number): boolean {
    return size === 0 || (size < this.maxBatch && predictedMs < this.commitBudgetMs);
  }

  /**
   * Commits ONE bounded transaction from the head of the queue: whole submits while they fit,
   * and the first part of a submit larger than the batch (the rest stays queued). A submit
   * resolves only when its last part is durable. Never rejects: a failure rejects the submits.
   */
  private async commitOne(): Promise<void> {
    const parts: { p: Pending; from: number; to: number }[] = [];
    let size = 0;
    let predictedMs = 0;
    while (this.qHead < this.queue.length && this.fits(size, predictedMs)) {
      const p = this.queue[this.qHead++];
      let to = p.done;
      while (to < p.events.length && this.fits(size, predictedMs)) {
        predictedMs += this.costs.estimateMs(p.events[to++].kind);
        size++;
      }
      parts.push({ p, from: p.done, to });
      // The rest of a large submit goes to the back of the queue: submits that arrived after
      // it (an agent's acked token) are not held behind all of its parts.
      if (to < p.events.length) this.queue.push(p);
    }
    if (this.qHead === this.queue.length) {
      this.queue = [];
      this.qHead = 0;
    } else if (this.qHead > 1024 && this.qHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.qHead);
      this.qHead = 0;
    }
    if (!size) return;
    this.queuedEvents -= size;
    if (this.health.state !== 'ok') {
      // An earlier commit failed: do not hammer a failing disk with the rest of the queue.
      this.stats.refused += size;
      this.dropParts(parts, this.health.refusal());
      this.notifyDrain();
      return;
    }
    let appended: AppendResult[];
    let events: StampedEvent[];
    // Loop time of the commit (the append call and the listeners), not the time awaiting the
    // store: that is what the batch size is tuned to keep near its budget.
    let spentMs = 0;
    // The store's part of the commit, answered or failed, for xray_log_commit_seconds.
    const storeFrom = performance.now();
    try {
      // Only this commit runs until it ends, so no other stamp can come between this await
      // and the stamping below: the clocks read here are still current when used.
      const resumed = await this.resumeClocks(parts);
      // Lamport stamps are given at commit, in seq order, so a trace's clock follows its seq order
      // even when the parts of a large submit interleave with other submits.
      events = [];
      for (const { p, from, to } of parts) for (let j = from; j < to; j++) events.push(this.stamp(p.events[j], resumed));
      const appendFrom = performance.now();
      const appending = this.log.append(events); // one promise per transaction
      spentMs = performance.now() - appendFrom;
      appended = await appending;
      this.commitTime.observe(performance.now() - storeFrom);
    } catch (err) {
      this.commitTime.observe(performance.now() - storeFrom);
      // The transaction rolled back: none of these events is stored, so none is acked.
      this.stats.failed += size;
      // A failed write is always answered with a coded error (storage_unavailable / _corrupt / _failed).
      this.dropParts(parts, this.health.fail(err, 'write') as XrayError);
      // The queue may have been over its mark, with sockets paused until a drain: release them,
      // so what they hold is answered (refused while the store is down) instead of waiting.
      this.notifyDrain();
      return;
    }
    const started = performance.now();
    this.stats.batches++;
    const committed: XrayEvent[] = [];
    for (let i = 0; i < events.length; i++) {
      const r = appended[i];
      if (r.duplicate) this.stats.duplicates++;
      else committed.push(committedEvent(events[i], r.seq)); // the scope stays in the store
    }
    this.stats.committed += committed.length;
    if (committed.length && !this.announcer) {
      this.committedHead = Math.max(this.committedHead, committed[committed.length - 1].seq);
      for (const l of this.listeners) l(committed);
    }
    // The cost that matters is the loop time of the whole commit: the store's call plus the listeners (model, fanout, SSE).
    const spent = spentMs + performance.now() - started;
    this.costs.observe(countKinds(events), spent);
    let k = 0;
    // Multi-node: acks wait for this node's tail to deliver the commit (not holding the next commit).
    const told = this.announcer && committed.length ? this.announcer.reached(committed[committed.length - 1].seq) : null;
    for (const { p, from, to } of parts) {
      for (let j = from; j < to; j++) p.results[j] = appended[k++];
      p.done = to;
      if (to === p.events.length) {
        if (told) void told.then(() => answer(p, null));
        else answer(p, null);
      }
    }
    this.notifyDrain();
  }

  /** Tells the drain listeners (paused ingest) when the queue is under its mark. */
  private notifyDrain(): void {
    if (!this.overloaded) for (const l of this.drainListeners) l();
  }

  /** Rejects the submits of a failed commit, dropping what is left of each; the error says how much of it is already durable. */
  private dropParts(parts: readonly { p: Pending; to: number }[], err: XrayError): void {
    for (const { p, to } of parts) {
      if (to < p.events.length) {
        this.queue = this.queue.slice(this.qHead).filter((q) => q !== p);
        this.qHead = 0;
        this.queuedEvents -= p.events.length - to;
      }
      answer(p, failure(err, p));
    }
  }

  /** Commits everything queued now, one transaction after another (shutdown). */
  async flush(): Promise<void> {
    // A scheduled run that starts meanwhile queues behind these commits and finds less to do.
    while (this.qHead < this.queue.length) await this.commitNext();
    await this.tail;
  }

  /** The highest committed seq, as far as commit listeners have been told (see `committedHead`). */
  head(): number {
    if (this.announcer) return this.announcer.position;
    return this.committedHead;
  }

  /** Flushes what is queued, refuses new work, closes the log. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true; // refuses new submits from here on; what is queued still commits
    await this.flush();
    await this.log.close();
  }
}
