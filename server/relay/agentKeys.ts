/**
 * Agent keys: the one check for every entry (WS upgrade, `register`, REST, SSE, OTLP) and the
 * principal a key stands for. Apart from the relay so the backoff and the constant-time compare
 * are one small thing to read; the relay delegates to it.
 */
import { XrayError } from '../../lib/protocol/errors';
import { safeEqual } from '../auth/adminToken';
import type { AttemptLimiter } from '../auth/attemptLimiter';
import { securityStats } from '../http/securityStats';
import { principalOf } from './principal';

export class AgentKeys {
  constructor(
    /** When set, agents must present one of these keys; null or undefined: no keys, everyone is anonymous. */
    private readonly keys: ReadonlySet<string> | null | undefined,
    /** Wrong-key backoff per client address, shared by every entry point. */
    private readonly attempts: AttemptLimiter,
  ) {}

  get required(): boolean {
    return !!this.keys;
  }

  /** Whether a presented key is valid; always true when no keys are configured. Constant-time per key. */
  isValid(key: string | undefined): boolean {
    if (!this.keys) return true;
    if (!key) return false;
    let ok = false;
    for (const k of this.keys) if (safeEqual(k, key)) ok = true;
    return ok;
  }

  /**
   * Throws `rate_limited` (with retry_after_s) while the address is backing off — before
   * comparing, so no guess is evaluated — and `unauthorized` for a missing or wrong key. Only a
   * presented wrong key counts as a failed attempt.
   */
  authenticate(key: string | undefined, address: string): void {
    if (!this.required) return;
    const waitMs = this.attempts.retryAfterMs(address);
    if (waitMs > 0) {
      securityStats.keyLocked++;
      const s = Math.ceil(waitMs / 1000);
      throw new XrayError('rate_limited', `too many wrong agent keys from this address; try again in ${s} s`, { retry_after_s: s });
    }
    if (this.isValid(key)) return;
    if (key !== undefined && key !== '') {
      securityStats.keyFailures++;
      this.attempts.failed(address);
    }
    throw new XrayError('unauthorized', key ? 'invalid agent key' : 'an agent key is required (key field in register, or Authorization: Bearer)');
  }

  /** The principal a presented key stands for (see principal.ts). */
  principalOf(key: string | undefined): string {
    return principalOf(key, this.required);
  }
}
