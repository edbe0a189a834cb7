/**
 * Calls waiting for a worker's `call_response`. Each is settled exactly once: by the
 * response, by its timeout, or by the worker disconnecting. Bounded per calling agent, per
 * caller address (so agents parking calls from one host cannot starve other hosts) and in total.
 */
import { XrayError } from '../../lib/protocol/errors';
import { LIMITS } from '../../lib/protocol/limits';
import { BoundedMap } from '../store/boundedMap';
import { AddressSlots } from './addressSlots';
import type { CallContext } from './frameEvents';

export interface InFlightCall {
  correlationId: string;
  from: string;
  /** Whom the per-caller bound counts against: the agent name, or `rest@<address>` for REST. */
  callerKey: string;
  /** The caller's client address: the per-address share is counted against it. */
  address: string;
  to: string;
  method: string;
  traceId: string;
  spanId: string;
  startedAt: number;
  timeoutMs: number;
}

/** `recorded`: the outcome is already in the log (another node's worker answered; multi-node mode), so it is not appended again. */
export type CallOutcome =
  | { kind: 'response'; payload: string; recorded?: true }
  | { kind: 'error'; error: XrayError; recorded?: true }
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

  constructor(readonly slots: AddressSlots = new AddressSlots(LIMITS.pendingCallsTotal, LIMITS.pendingCallsTotal)) {}

  get size(): number {
    return this.entries.size;
  }

  /** Registers a call; `settle` runs once with the outcome. Throws too_many_pending past the bounds. */
  add(call: InFlightCall, settle: (outcome: CallOutcome) => void): void {
    const mine = this.perCaller.get(call.callerKey) ?? 0;
    if (mine >= LIMITS.pendingCallsPerAgent) throw new XrayError('too_many_pending', `at most ${LIMITS.pendingCallsPerAgent} calls in flight per caller`);
    const refused = this.slots.acquire(call.address);
    if (refused === 'address') throw new XrayError('too_many_pending', `at most ${this.slots.perAddress} calls in flight from one address`);
    if (refused) throw new XrayError('too_many_pending', `at most ${this.slots.maxTotal} calls in flight in the relay`);
    const timer = setTimeout(() => this.finish(call.correlationId, { kind: 'timeout' }), call.timeoutMs);
    timer.unref();
    this.entries.set(call.correlationId, { call, timer, settle });
    this.perCaller.set(call.callerKey, mine + 1);
  }

  get(correlationId: string): InFlightCall | undefined {
    return this.entries.get(correlationId)?.call;
  }

  context(correlationId: string): CallContext | undefined {
    const live = this.entries.get(correlationId)?.call;
    return live ? { traceId: live.traceId, spanId: live.spanId } : this.finished.get(correlationId);
  }

  /** Remembers the trace context of a call another node made to a worker here (multi-node mode), for the frames it streams. */
  remember(correlationId: string, context: CallContext): void {
    this.finished.set(correlationId, context);
  }

  /** Settles a call; returns false if it was already settled (late response, double answer). */
  finish(correlationId: string, outcome: CallOutcome): boolean {
    const entry = this.entries.get(correlationId);
    if (!entry) return false;
    clearTimeout(entry.timer);
    this.entries.delete(correlationId);
    this.slots.release(entry.call.address);
    const left = (this.perCaller.get(entry.call.callerKey) ?? 1) - 1;
    if (left <= 0) this.perCaller.delete(entry.call.callerKey);
    else this.perCaller.set(entry.call.callerKey, left);
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
