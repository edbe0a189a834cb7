/**
 * A background pass run every `intervalMs` and on demand, never two at once: the scheduling
 * both retention sweepers (SQLite's RetentionSweeper, the cluster's PgRetention) share. A
 * failed pass is logged and counted, never thrown: the next tick tries again.
 */
export class PeriodicPass {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly label: string,
    private readonly intervalMs: number,
    private readonly pass: () => Promise<void>,
    private readonly onFailure: (err: Error) => void = () => undefined,
  ) {}

  /** True once close() was called: a pass in progress checks it between its steps. */
  get stopped(): boolean {
    return this.closed;
  }

  /** Runs a pass now and then every interval (the timer does not keep the process alive). */
  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => void this.runOnce(), this.intervalMs);
    this.timer.unref();
    void this.runOnce();
  }

  /** One pass (concurrent calls share it). Never rejects. */
  runOnce(): Promise<void> {
    if (!this.running) {
      this.running = this.pass()
        .catch((err: Error) => {
          this.onFailure(err);
          console.error(`[${this.label}] pass failed (will retry): ${err.message}`);
        })
        .finally(() => (this.running = null));
    }
    return this.running;
  }

  /** Stops the timer and waits for a pass in progress to reach its next check of `stopped`. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
