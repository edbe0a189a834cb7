/**
 * Calls waiting for a worker's `call_response`. Each is settled exactly once: by the
 * response, by its timeout, or by the worker disconnecting. Bounded in total and per caller.
 */
import { XrayError } from '../../lib/protocol/errors';
import { LIMITS } from '../../lib/protocol/limits';
import { BoundedMap } from '../store/boundedMap';
import type { CallContext } from './frameEvents';

export interface InFlightCall {
  correlationId: string;
  from: string;
  to: string;
  method: string;
  traceId: string;
  spanId: string;
  startedAt: number;
  timeoutMs: number;
}

export type CallOutcome =
  | { kind: 'response'; payload: string }
  | { kind: 'error'; error: XrayError }
  | { kind: 'timeout' };

interface Entry {
  call: InFlightCall;
  timer: NodeJS.Timeout;
  settle: (outcome: CallOutcome) => void;
}

export class InFlightCalls {
  private readonly entries = new Map<string, Entry>();
  private readonly perCaller = new Map<string, number>();
  /** Finished calls, remembered so tokens that trail a response still find their trace. */
  private readonly finished = new BoundedMap<string, CallContext>(20_000);

  get size(): number {
    return this.entries.size;
  }

  /** Registers a call; `settle` runs once with the outcome. Throws too_many_pending past the bounds. */
  add(call: InFlightCall, settle: (outcome: CallOutcome) => void): void {
    const mine = this.perCaller.get(call.from) ?? 0;
    if (this.entries.size >= LIMITS.pendingCallsTotal || mine >= LIMITS.pendingCallsPerAgent) throw new XrayError('too_many_pending');
    const timer = setTimeout(() => this.finish(call.correlationId, { kind: 'timeout' }), call.timeoutMs);
    timer.unref();
    this.entries.set(call.correlationId, { call, timer, settle });
    this.perCaller.set(call.from, mine + 1);
  }

  get(correlationId: string): InFlightCall | undefined {
    return this.entries.get(correlationId)?.call;
  }

  context(correlationId: string): CallContext | undefined {
    const live = this.entries.get(correlationId)?.call;
    return live ? { traceId: live.traceId, spanId: live.spanId } : this.finished.get(correlationId);
  }

  /** Settles a call; returns false if it was already settled (late response, double answer). */
  finish(correlationId: string, outcome: CallOutcome): boolean {
    const entry = this.entries.get(correlationId);
    if (!entry) return false;
    clearTimeout(entry.timer);
    this.entries.delete(correlationId);
    const left = (this.perCaller.get(entry.call.from) ?? 1) - 1;
    if (left <= 0) this.perCaller.delete(entry.call.from);
    else this.perCaller.set(entry.call.from, left);
    this.finished.set(correlationId, { traceId: entry.call.traceId, spanId: entry.call.spanId });
    entry.settle(outcome);
    return true;
  }

  /** Calls addressed to `agent`, for failing them when it disconnects. */
  to(agent: string): InFlightCall[] {
    return [...this.entries.values()].filter((e) => e.call.to === agent).map((e) => e.call);
  }

  all(): InFlightCall[] {
    return [...this.entries.values()].map((e) => e.call);
  }
}
