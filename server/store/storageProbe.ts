/**
 * Brings ingest back by itself after a full disk or an I/O error: while the log is
 * `unavailable`, every `intervalMs` check that the file system has `headroomBytes` free and
 * that a small committed write succeeds; then mark the log writable again. Without the
 * free-space check a write could succeed only because it fits in WAL pages already
 * allocated, and ingest would flap on a disk that is still full.
 */
import fs from 'node:fs';
import type { StorageHealth } from './storageHealth';

export interface ProbeTarget {
  /** A small committed write; throws (or rejects, for a networked log such as PostgreSQL) while the log is not writable. */
  probeWrite(): void | Promise<void>;
}

export class StorageProbe {
  private timer: NodeJS.Timeout | null = null;
  /** An asynchronous probe still waiting for its answer: never two at once against a hung server. */
  private inFlight = false;
  private readonly off: () => void;
  readonly stats = { probes: 0, failures: 0 };

  constructor(
    private readonly health: StorageHealth,
    private readonly target: ProbeTarget,
    private readonly options: { dir: string | null; intervalMs: number; headroomBytes: number },
  ) {
    this.off = health.onChange((s) => (s.state === 'unavailable' ? this.start() : this.stop()));
    if (health.state === 'unavailable') this.start();
  }

  private start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.probe(), this.options.intervalMs);
    this.timer.unref();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One probe; returns whether the log is writable. */
  probe(): boolean {
    if (this.health.state !== 'unavailable') return this.health.state === 'ok';
    if (this.inFlight) return false;
    this.stats.probes++;
    try {
      if (this.options.dir) {
        const s = fs.statfsSync(this.options.dir);
        const free = s.bavail * s.bsize;
        if (free < this.options.headroomBytes) throw new Error(`only ${free} bytes free, need ${this.options.headroomBytes}`);
      }
      const pending = this.target.probeWrite();
      if (pending instanceof Promise) {
        // The answer comes later: the state turns ok then (the next probe reports it).
        this.inFlight = true;
        pending.then(
          () => this.health.recovered(),
          () => this.stats.failures++,
        ).finally(() => (this.inFlight = false));
        return false;
      }
    } catch {
      this.stats.failures++;
      return false;
    }
    this.health.recovered();
    return true;
  }

  close(): void {
    this.stop();
    this.off();
  }
}
