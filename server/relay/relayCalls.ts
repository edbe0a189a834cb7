/**
 * Calls between agents: the routing half of the relay. A call goes to a worker connected here
 * or, in multi-node mode, to one on another node through the log; it gets a span in the
 * caller's trace (or a new one), and its one outcome (answer, worker error, disconnect,
 * timeout) is recorded before the caller hears it, so nothing a caller was told is missing from
 * the log. Apart from relay.ts so that file stays the message entry point and the registry;
 * `Relay` owns the only instance and passes in what it needs (`CallHost`).
 */
import { XrayError } from '../../lib/protocol/errors';
import type { NewEvent } from '../../lib/protocol/events';
import { formatTraceparent, mintEventId, mintSpanId, mintTraceId } from '../../lib/protocol/ids';
import { LIMITS } from '../../lib/protocol/limits';
import type { RestCallResult } from '../../lib/protocol/relay';
import type { AgentSession } from './agentSession';
import type { ClusterRouter } from './clusterRouter';
import type { CallOutcome, InFlightCalls } from './inFlightCalls';

export interface CallRequest {
  to: string;
  method: string;
  payload: string;
  timeout_ms?: number;
  trace_id?: string;
  parent_span_id?: string;
  /** A caller name a REST body claimed; recorded, never used as the caller's identity. */
  from_unverified?: string;
  session?: string;
}

/** What call routing needs from the relay. */
export interface CallHost {
  readonly calls: InFlightCalls;
  now(): number;
  closing(): boolean;
  /** The session holding `name` on this node, if any. */
  localWorker(name: string): AgentSession | undefined;
  cluster(): ClusterRouter | null;
  /** Writes one event (envelope defaults filled in); rejects on a storage failure. */
  record(e: Partial<NewEvent> & Pick<NewEvent, 'kind' | 'agent' | 'data'>): Promise<unknown>;
  /** A bookkeeping write (the call request) failed with nobody to tell: counted. */
  bookkeepingLost(): void;
}

export class RelayCalls {
  constructor(private readonly host: CallHost) {}

  /**
   * Routes a call to a connected agent and resolves with its answer. The call gets a span
   * in the caller's trace (or a new Neural Trace), propagated to the worker in inbound_call.
   */
  call(from: string, req: CallRequest, via: 'rest' | 'ws', address: string): Promise<RestCallResult> {
    if (this.host.closing()) return Promise.reject(new XrayError('shutting_down'));
    if (req.to === from) return Promise.reject(new XrayError('call_to_self', `${from} cannot call itself`));
    const target = this.host.localWorker(req.to);
    if (target) return this.startCall(from, req, via, address, target, null);
    const cluster = this.host.cluster();
    if (!cluster) return Promise.reject(new XrayError('unknown_target', `no agent named "${req.to}" is connected`));
    return cluster.remoteHolder(req.to).then(
      (node) => {
        if (!node) throw new XrayError('unknown_target', `no agent named "${req.to}" is connected to the cluster`);
        return this.startCall(from, req, via, address, null, node);
      },
      (err: Error) => {
        throw new XrayError('storage_unavailable', `the cluster's name table cannot be reached (${err.message})`);
      },
    );
  }

  /** A call to a worker connected here (`target`) or, in multi-node mode, on another node (`node`). */
  private startCall(from: string, req: CallRequest, via: 'rest' | 'ws', address: string, target: AgentSession | null, node: string | null): Promise<RestCallResult> {
    const traceId = req.trace_id ?? mintTraceId();
    const spanId = mintSpanId();
    const correlationId = mintEventId();
    const timeoutMs = Math.min(req.timeout_ms ?? LIMITS.defaultCallTimeoutMs, LIMITS.maxCallTimeoutMs);
    const startedAt = this.host.now();
    // REST callers share the name 'rest': their per-caller share is counted per address instead.
    const callerKey = via === 'rest' ? `rest@${address}` : from;
    const call = { correlationId, from, callerKey, address, to: req.to, method: req.method, traceId, spanId, startedAt, timeoutMs };
    const envelope = { trace_id: traceId, span_id: spanId, parent_span_id: req.parent_span_id ?? null };

    return new Promise<RestCallResult>((resolve, reject) => {
      const settle = (outcome: CallOutcome) => {
        const duration_ms = this.host.now() - startedAt;
        this.host.cluster()?.settled(correlationId);
        // An answer that came through the log from another node is recorded there already.
        const done = outcome.kind !== 'timeout' && outcome.recorded ? Promise.resolve() : this.recordOutcome(call, outcome, duration_ms, envelope);
        done.then(
          () => {
            if (outcome.kind === 'response') resolve({ payload: outcome.payload, from: req.to, correlation_id: correlationId, trace_id: traceId, span_id: spanId, duration_ms });
            else if (outcome.kind === 'timeout') reject(new XrayError('call_timeout', `${req.to} did not answer within ${timeoutMs} ms`, { trace_id: traceId }));
            else reject(new XrayError(outcome.error.code, outcome.error.message, { trace_id: traceId }));
          },
          (err: Error) => reject(err),
        );
      };
      this.host.calls.add(call, settle); // throws too_many_pending: caught by the Promise constructor
      this.host.cluster()?.originate(correlationId);
      if (node) this.host.cluster()?.routed(correlationId, node);
      const request = this.host.record({
        kind: 'call.request',
        agent: from,
        peer: req.to,
        ...envelope,
        data: { correlation_id: correlationId, method: req.method, payload: req.payload, timeout_ms: timeoutMs, via, ...(req.from_unverified ? { from_unverified: req.from_unverified } : {}), ...(req.session ? { session: req.session } : {}) },
      });
      request.catch((err: Error) => {
        this.host.bookkeepingLost();
        // Across nodes the request reaches the worker only through the log: unrecorded, it never will.
        if (node) this.host.calls.finish(correlationId, { kind: 'error', error: err instanceof XrayError ? err : new XrayError('storage_unavailable') });
      });
      // Another node's worker gets its inbound_call from that node's log tail (ClusterRouter).
      target?.send({
        type: 'inbound_call',
        correlation_id: correlationId,
        method: req.method,
        payload: req.payload,
        from,
        trace_id: traceId,
        span_id: spanId,
        traceparent: formatTraceparent(traceId, spanId),
      });
    });
  }

  private recordOutcome(
    call: { correlationId: string; from: string; to: string; timeoutMs: number },
    outcome: CallOutcome,
    duration_ms: number,
    envelope: { trace_id: string; span_id: string; parent_span_id: string | null },
  ): Promise<unknown> {
    const base = { agent: call.to, peer: call.from, ...envelope };
    if (outcome.kind === 'response') {
      return this.host.record({ ...base, kind: 'call.response', data: { correlation_id: call.correlationId, payload: outcome.payload, duration_ms } });
    }
    if (outcome.kind === 'timeout') {
      return this.host.record({ ...base, kind: 'call.timeout', data: { correlation_id: call.correlationId, timeout_ms: call.timeoutMs, duration_ms } });
    }
    return this.host.record({ ...base, kind: 'call.error', data: { correlation_id: call.correlationId, code: outcome.error.code, message: outcome.error.message, duration_ms } });
  }

  /** A worker's `call_response` (`worker`: its registered name, if any). Only the agent that was called may answer. */
  respond(worker: string | null, correlationId: string, payload: string | undefined, error: string | { code?: string; message: string } | undefined): void {
    const call = this.host.calls.get(correlationId);
    if (!call || call.to !== worker) {
      // A call another node delivered to this worker: its answer goes to the log for the caller's node.
      const message = error === undefined ? undefined : typeof error === 'string' ? error : error.message;
      if (worker && this.host.cluster()?.answer(worker, correlationId, message === undefined ? { payload: payload ?? '' } : { error: new XrayError('worker_error', message) })) return;
      throw new XrayError('unknown_correlation', `no call ${correlationId} in flight to you (it may have timed out)`);
    }
    if (error !== undefined) {
      const message = typeof error === 'string' ? error : error.message;
      this.host.calls.finish(correlationId, { kind: 'error', error: new XrayError('worker_error', message) });
    } else {
      this.host.calls.finish(correlationId, { kind: 'response', payload: payload ?? '' });
    }
  }
}
