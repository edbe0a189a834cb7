/**
 * Moves WAL checkpoints off the event loop. A checkpoint copies WAL pages into the database
 * file and fsyncs it; done by SQLite's auto-checkpoint it runs inside whichever commit
 * crosses the threshold (an ingest batch or a retention batch) and on a busy disk stalls the
 * event loop for tens to hundreds of ms. Here a worker thread with its own connection runs
 * `wal_checkpoint(PASSIVE)` (never blocks the writer) every `intervalMs`; the writer's own
 * auto-checkpoint stays on at a much higher threshold as a safety net, should the worker fall
 * behind or die.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Plain JS for the worker (no loader needed): open the log, checkpoint on a timer. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 0');
const tick = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    // Busy or a full disk: the next tick tries again; the writer's own auto-checkpoint is the backstop.
    parentPort.postMessage({ failed: String(err && err.message) });
  }
};
const timer = setInterval(tick, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'stop') {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
`;

export class WalCheckpointer {
  private readonly worker: Worker;
  readonly stats = { failures: 0 };

  constructor(file: string, intervalMs: number) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, intervalMs } });
    this.worker.on('message', (m: { failed?: string }) => {
      if (m.failed) this.stats.failures++;
    });
    this.worker.on('error', (err) => console.error(`[store] WAL checkpointer stopped (auto-checkpoint takes over): ${err.message}`));
    this.worker.unref();
  }

  close(): void {
    this.worker.postMessage('stop');
  }
}
