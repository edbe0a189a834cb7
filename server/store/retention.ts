/**
 * Background retention: every `intervalMs`, deletes events older than the window (and, over
 * the size budget, the oldest ones) in small transactions, yielding to the event loop
 * between them so ingest commits interleave and never wait more than one batch (a few ms).
 * Freed pages are handed back to the file system in small incremental-vacuum steps, so the
 * file stops growing and shrinks after a purge.
 */
import { PeriodicPass } from './periodicPass';
import type { SqliteEventLog } from './sqliteEventLog';
import { yieldToLoop } from '../yieldToLoop';

export interface RetentionOptions {
  /** Delete events received more than this long ago (ms). Null: no age limit. */
  retentionMs: number | null;
  /** Keep the log's data pages under this many bytes. Null: no size limit. */
  maxBytes: number | null;
  intervalMs: number;
  /** Events per transaction. */
  batchRows: number;
  now?: () => number;
}

/** Pages per incremental-vacuum step: 256 × 4 KiB = 1 MiB, well under a millisecond or two. */
const VACUUM_PAGES = 256;

const DAY = 86_400_000;

export class RetentionSweeper {
  private readonly now: () => number;
  readonly stats = { eventsDeleted: 0, tracesDeleted: 0, batches: 0, passes: 0, pagesReleased: 0, maxBatchMs: 0, failures: 0 };
  private readonly schedule: PeriodicPass;

  constructor(
    private readonly log: SqliteEventLog,
    private readonly options: RetentionOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.schedule = new PeriodicPass('retention', options.intervalMs, () => this.pass(), () => this.stats.failures++);
  }

  get enabled(): boolean {
    return this.options.retentionMs !== null || this.options.maxBytes !== null;
  }

  private get stopped(): boolean {
    return this.schedule.stopped;
  }

  start(): void {
    if (this.enabled) this.schedule.start();
  }

  /** One full pass (concurrent calls share it). Never rejects: a failure is logged and counted. */
  runOnce(): Promise<void> {
    return this.schedule.runOnce();
  }

  private async pass(): Promise<void> {
    if (this.stopped || this.log.health.state !== 'ok') return;
    this.stats.passes++;
    const now = this.now();
    if (this.options.retentionMs !== null) await this.expireBefore(now - this.options.retentionMs, now);
    // Over the size budget: expire the oldest ~5% above the floor at a time until under it.
    for (let round = 0; this.options.maxBytes !== null && round < 100 && !this.stopped; round++) {
      if (this.log.usedBytes() <= this.options.maxBytes) break;
      const remaining = (await this.log.head()) - (await this.log.floor());
      const cutoff = this.log.tsAtOffsetAboveFloor(Math.max(this.options.batchRows, Math.ceil(remaining * 0.05)));
      if (cutoff === undefined) break;
      const before = await this.log.floor();
      await this.expireBefore(cutoff, now);
      if ((await this.log.floor()) === before) break; // only live traces are left: never cut one in half
    }
    // Tombstones answer "expired" for as long again as the window (a week under a size limit
    // alone), and at least a day: a link shared yesterday should still say why it is empty.
    this.log.pruneTombstones(now - Math.max(this.options.retentionMs ?? 7 * DAY, DAY), this.options.batchRows);
    await this.releasePages();
  }

  private async expireBefore(cutoffTs: number, now: number): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const started = performance.now();
      const r = this.log.expireBatch(cutoffTs, this.options.batchRows, now);
      this.stats.maxBatchMs = Math.max(this.stats.maxBatchMs, performance.now() - started);
      this.stats.batches++;
      this.stats.eventsDeleted += r.deleted;
      this.stats.tracesDeleted += r.traces;
      if (r.done) return;
      await yieldToLoop();
    }
  }

  private async releasePages(): Promise<void> {
    while (!this.stopped) {
      const free = this.log.vacuumStep(VACUUM_PAGES);
      if (free === 0) return;
      this.stats.pagesReleased += Math.min(free, VACUUM_PAGES);
      if (free <= VACUUM_PAGES) return;
      await yieldToLoop();
    }
  }

  /** Stops the timer and waits for a pass in progress to reach its next yield. */
  close(): Promise<void> {
    return this.schedule.close();
  }
}
