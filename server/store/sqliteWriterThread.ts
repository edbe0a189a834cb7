/**
 * Appends to the SQLite log from a worker thread (`XRAY_SQLITE_WRITER=thread`; off by default).
 * WHY: inserting a row, its index entries and its text-index row cost about a third of the
 * event loop's CPU per ingested token (bench, relayCpu: 24–28 µs per single-frame token with
 * the inline writer, 16–17 µs with appends stubbed out), and a commit blocks the loop for its
 * whole duration. Here the loop only posts the batch (sqliteWriterMessages.ts) and awaits the
 * answer; another core runs SQLite. On 2 cores that costs more CPU in all than it saves the
 * loop, so inline stays the default (README, Benchmark).
 *
 * The log file has two connections: this thread's, which does every append, and the event
 * loop's, which reads and runs maintenance (retention, vacuum, the storage probe). SQLite's
 * WAL lets the reads run beside the appends; the two writers take turns on the write lock
 * (both wait up to `busyTimeoutMs`, and both begin their write transactions IMMEDIATE).
 *
 * If the thread dies, the batches in flight fail as writes (storage health turns
 * unavailable, the callers are told nothing was stored) and the next append starts a new
 * thread, which reads the next seq from the file. A batch whose COMMIT landed just before the
 * death is reported failed although stored: its ids are the sender's, so a retry is a duplicate.
 */
import { Worker } from 'node:worker_threads';
import type { AppendResult, StampedEvent } from './eventLog';
import { decodeResults, type WriterReply, type WriterRequest, type WriterSetup } from './sqliteWriterMessages';

/**
 * The worker's code: the bundled file beside dist/server.mjs in production; from the sources
 * (dev, tests) a bootstrap that registers tsx in the thread first, because a loader given
 * through execArgv does not reach worker threads on Node 20.
 */
function workerModule(): { code: string | URL; eval: boolean } {
  if (!import.meta.url.endsWith('.ts')) return { code: new URL('./sqliteWriterWorker.mjs', import.meta.url), eval: false };
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./sqliteWriterWorker.ts', import.meta.url).href;
  return { code: `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`, eval: true };
}

/** The error a batch in flight gets when the thread is gone. */
function writerGone(why: string): Error {
  return Object.assign(new Error(`the log's writer thread stopped (${why}); nothing was stored`), { code: 'XRAY_WRITER_GONE' });
}

export class SqliteWriterThread {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { events: readonly StampedEvent[]; resolve: (r: AppendResult[]) => void; reject: (e: Error) => void }>();
  private closed = false;
  /** Counters for tests and /metrics. */
  readonly stats = { starts: 0, deaths: 0 };

  /** Starts the thread at once, so the first append does not wait for it to boot (~50 ms bundled, ~400 ms through tsx). */
  constructor(private readonly setup: WriterSetup) {
    this.worker = this.start();
  }

  append(events: readonly StampedEvent[]): Promise<AppendResult[]> {
    if (this.closed) return Promise.reject(writerGone('the log is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { events, resolve, reject });
      this.send({ type: 'append', id, batch: JSON.stringify(events) });
      // Keeps the process alive while a batch is in flight, and only then (an idle log must not hold a script open).
      if (this.pending.size === 1) this.worker?.ref();
    });
  }

  setAutoCheckpoint(pages: number): void {
    this.setup.autoCheckpointPages = pages;
    if (this.worker) this.send({ type: 'autocheckpoint', pages });
  }

  /** Lets the thread finish what it was sent, then stops it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.ref();
    worker.postMessage({ type: 'close' } satisfies WriterRequest);
    await exited;
  }

  private send(m: WriterRequest): void {
    (this.worker ??= this.start()).postMessage(m);
  }

  private start(): Worker {
    const { code, eval: isEval } = workerModule();
    const worker = new Worker(code, { workerData: this.setup, eval: isEval, execArgv: [] });
    worker.unref();
    this.stats.starts++;
    worker.on('message', (reply: WriterReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if ('seqs' in reply) waiting.resolve(decodeResults(waiting.events, reply.seqs));
      else waiting.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    });
    const gone = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = null;
      if (this.closed && this.pending.size === 0) return;
      this.stats.deaths++;
      const failed = [...this.pending.values()];
      this.pending.clear();
      for (const p of failed) p.reject(writerGone(why));
    };
    worker.on('error', (err) => gone(err.message));
    worker.on('exit', (code) => gone(`exit code ${code}`));
    return worker;
  }
}
