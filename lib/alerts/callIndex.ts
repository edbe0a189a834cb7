/**
 * Resolves a call's outcome event to its method: outcomes name the callee and the caller but
 * only the request carries the method. Bounded: beyond MAX_OPEN_CALLS requests waiting for an
 * answer, the oldest are forgotten (their outcomes count with method null).
 */
import type { XrayEvent } from '../protocol/events';
import type { CallOutcome } from './condition';
import { BoundedRecency } from './conditions/boundedRecency';

const MAX_OPEN_CALLS = 100_000;

export class CallIndex {
  private readonly open = new BoundedRecency<string>(MAX_OPEN_CALLS);

  outcomeOf(e: XrayEvent): CallOutcome | null {
    if (e.kind === 'call.request') {
      if (e.peer) {
        const k = `${e.agent}\u0000${e.data.correlation_id}`;
        this.open.delete(k); // a reused correlation id names the new call's method
        this.open.touch(k, () => e.data.method);
      }
      return null;
    }
    if (e.kind !== 'call.response' && e.kind !== 'call.error' && e.kind !== 'call.timeout') return null;
    const caller = e.peer ?? '';
    const k = `${caller}\u0000${e.data.correlation_id}`;
    const method = this.open.get(k) ?? null;
    this.open.delete(k);
    return { callee: e.agent, caller, method, ok: e.kind === 'call.response', durationMs: e.data.duration_ms };
  }
}
