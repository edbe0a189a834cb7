/**
 * Age retention for the shared PostgreSQL log (multi-node mode): every `intervalMs`, deletes
 * what was received more than `retentionMs` ago, a trace as a whole, in bounded steps
 * (PgEventLog.expireBatch — the same rules as SQLite). Every node runs one; a step that finds
 * another node's step in progress ends this pass, so the nodes take turns instead of
 * competing. A size budget (XRAY_MAX_LOG_BYTES) is SQLite's alone: PostgreSQL's storage is
 * the database's business.
 */
import type { PgEventLog } from './pgEventLog';
import { PeriodicPass } from './periodicPass';
import { yieldToLoop } from '../yieldToLoop';

const DAY = 86_400_000;

export class PgRetention {
  readonly stats = { eventsDeleted: 0, tracesDeleted: 0, batches: 0, passes: 0, busy: 0, failures: 0 };
  private readonly schedule: PeriodicPass;

  constructor(
    private readonly log: PgEventLog,
    private readonly options: { retentionMs: number; intervalMs: number; batchRows: number; now?: () => number },
  ) {
    this.schedule = new PeriodicPass('retention', options.intervalMs, () => this.pass(), () => this.stats.failures++);
  }

  private get stopped(): boolean {
    return this.schedule.stopped;
  }

  start(): void {
    this.schedule.start();
  }

  /** One pass (concurrent calls share it). Never rejects: a failure is logged and counted. */
  runOnce(): Promise<void> {
    return this.schedule.runOnce();
  }

  private async pass(): Promise<void> {
    if (this.stopped || this.log.health.state !== 'ok') return;
    this.stats.passes++;
    const now = (this.options.now ?? Date.now)();
    const cutoff = now - this.options.retentionMs;
    while (!this.stopped) {
      const r = await this.log.expireBatch(cutoff, this.options.batchRows, now);
      this.stats.batches++;
      this.stats.eventsDeleted += r.deleted;
      this.stats.tracesDeleted += r.traces;
      if (r.busy) {
        this.stats.busy++;
        return; // another node is sweeping: its pass covers this one
      }
      if (r.done) break;
      await yieldToLoop();
    }
    await this.log.pruneTombstones(now - Math.max(this.options.retentionMs, DAY), this.options.batchRows);
  }

  close(): Promise<void> {
    return this.schedule.close();
  }
}
