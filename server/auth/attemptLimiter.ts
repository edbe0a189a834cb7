/**
 * Failed-credential backoff per client address (admin login, agent keys). The first
 * `freeFailures` failures cost nothing (typos, a misconfigured agent); each further failure
 * locks the address for a delay that doubles, up to `maxDelayMs`. While locked, attempts are
 * refused before the credential is even compared, so no guess is evaluated. An address that
 * stays quiet for `forgetAfterMs` starts over. The table is bounded: past `maxKeys` addresses
 * the least recently failing one is forgotten first.
 */
export interface AttemptPolicy {
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  forgetAfterMs: number;
  maxKeys: number;
}

export const DEFAULT_ATTEMPT_POLICY: AttemptPolicy = {
  freeFailures: 10,
  baseDelayMs: 1000,
  maxDelayMs: 300_000,
  forgetAfterMs: 15 * 60_000,
  maxKeys: 10_000,
};

interface AttemptRecord {
  failures: number;
  lockedUntil: number;
  lastFailure: number;
}

export class AttemptLimiter {
  /** Keyed by client address (an outside string): a Map, in least-recently-failed order. */
  private readonly records = new Map<string, AttemptRecord>();

  constructor(
    readonly policy: AttemptPolicy = DEFAULT_ATTEMPT_POLICY,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.records.size;
  }

  private current(key: string): AttemptRecord | undefined {
    const r = this.records.get(key);
    if (r && this.now() - r.lastFailure > Math.max(this.policy.forgetAfterMs, r.lockedUntil - r.lastFailure)) {
      this.records.delete(key);
      return undefined;
    }
    return r;
  }

  /** Milliseconds until `key` may try again; 0 when it may try now. */
  retryAfterMs(key: string): number {
    const r = this.current(key);
    return r ? Math.max(0, r.lockedUntil - this.now()) : 0;
  }

  /** The delay the next failure would impose after `failures` failures. */
  delayAfter(failures: number): number {
    const over = failures - this.policy.freeFailures;
    if (over <= 0) return 0;
    return Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** Math.min(over - 1, 40));
  }

  /** Records a failure; returns the lock it imposes in ms (0 while failures are still free). */
  failed(key: string): number {
    const now = this.now();
    const r = this.current(key) ?? { failures: 0, lockedUntil: 0, lastFailure: now };
    r.failures++;
    r.lastFailure = now;
    const delay = this.delayAfter(r.failures);
    r.lockedUntil = now + delay;
    // Re-insert so iteration order is least recently failed first; evict from the front.
    this.records.delete(key);
    this.records.set(key, r);
    while (this.records.size > this.policy.maxKeys) this.records.delete(this.records.keys().next().value as string);
    return delay;
  }

  /** A success forgets the address's failures. */
  succeeded(key: string): void {
    this.records.delete(key);
  }
}
