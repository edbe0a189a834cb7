/**
 * Calls across nodes through the log (multi-node mode; DESIGN.md "the log is the bus").
 *
 * Caller's node: the target holds no session here but a live lease on node N → the call is
 * registered in flight HERE (its timeout belongs to this node), `call.request` is appended,
 * and the call settles when this node's log tail brings the worker's `call.response` or
 * `call.error` — already recorded by the worker's node, so it is not recorded again. If N's
 * lease on the target expires (N died) the call fails with worker_disconnected.
 *
 * Worker's node: its tail brings a `call.request` for an agent connected here that it did
 * not originate → it delivers `inbound_call` (same trace context) and remembers the call;
 * the worker's `call_response` is appended as `call.response` / `call.error`; a worker that
 * disconnects first gets `call.error` worker_disconnected appended for its calls.
 *
 * Every decision is made from committed events, so each node acts on a call exactly once
 * whatever the interleaving, and a node that restarts does not replay old calls (its tail
 * starts at the head).
 */
import { XrayError } from '../../lib/protocol/errors';
import type { XrayEvent } from '../../lib/protocol/events';
import { formatTraceparent } from '../../lib/protocol/ids';
import type { RelayToAgent } from '../../lib/protocol/relay';
import { BoundedMap } from '../store/boundedMap';
import type { CallOutcome, InFlightCalls } from './inFlightCalls';
import type { NameLeases } from './nameLeases';

/** A call delivered to a worker on this node by another node. */
export interface RemoteCall {
  correlationId: string;
  from: string;
  to: string;
  traceId: string | null;
  spanId: string | null;
  parentSpanId: string | null;
  /** When the caller's node recorded the request (its clock): duration is measured from it. */
  requestedAt: number;
}

export interface ClusterHost {
  readonly calls: InFlightCalls;
  now(): number;
  /** The live session of a locally connected agent. */
  localSession(name: string): { send(message: RelayToAgent): void } | undefined;
  /** Appends an event (the relay's `record`). */
  record(e: { kind: 'call.response' | 'call.error'; agent: string; peer: string; trace_id: string | null; span_id: string | null; parent_span_id: string | null; data: Record<string, unknown> }): Promise<unknown>;
}

export class ClusterRouter {
  /** Correlation ids minted on this node: their call.request in the tail is ours, never delivered again. */
  private readonly originated = new BoundedMap<string, true>(100_000);
  /** Calls this node routed to another node: correlation id → the node holding the target. */
  private readonly outbound = new Map<string, string>();
  /** Calls delivered to local workers by other nodes, until answered or failed. */
  private readonly inbound = new Map<string, RemoteCall & { timer: NodeJS.Timeout }>();
  private watch: NodeJS.Timeout | null = null;
  readonly stats = { delivered: 0, answered: 0, settledFromLog: 0, leaseLost: 0 };

  constructor(
    private readonly host: ClusterHost,
    readonly leases: NameLeases,
    private readonly options: { leaseWatchMs: number },
  ) {}

  get nodeId(): string {
    return this.leases.nodeId;
  }

  start(): void {
    this.leases.start();
    this.watch = setInterval(() => void this.checkTargets(), this.options.leaseWatchMs);
    this.watch.unref();
  }

  /** A call minted here (local or remote target): the tail must not deliver its request again. */
  originate(correlationId: string): void {
    this.originated.set(correlationId, true);
  }

  /** The node holding a live lease on `name`, when it is not this one. */
  async remoteHolder(name: string): Promise<string | null> {
    const node = await this.leases.holder(name);
    return node && node !== this.nodeId ? node : null;
  }

  /** A call from here to an agent on `node`: settled from the log (or by its timeout / the lease). */
  routed(correlationId: string, node: string): void {
    this.outbound.set(correlationId, node);
  }

  /** The call settled here (any outcome): stop following it. */
  settled(correlationId: string): void {
    this.outbound.delete(correlationId);
  }

  /** The worker's answer to a call another node delivered; false when there is no such call for this worker. */
  answer(worker: string, correlationId: string, outcome: { payload: string } | { error: XrayError }): boolean {
    const call = this.inbound.get(correlationId);
    if (!call || call.to !== worker) return false;
    this.dropInbound(correlationId);
    this.stats.answered++;
    const envelope = { agent: call.to, peer: call.from, trace_id: call.traceId, span_id: call.spanId, parent_span_id: call.parentSpanId };
    const duration_ms = Math.max(0, this.host.now() - call.requestedAt);
    const recorded =
      'payload' in outcome
        ? this.host.record({ ...envelope, kind: 'call.response', data: { correlation_id: correlationId, payload: outcome.payload, duration_ms } })
        : this.host.record({ ...envelope, kind: 'call.error', data: { correlation_id: correlationId, code: outcome.error.code, message: outcome.error.message, duration_ms } });
    recorded.catch(() => undefined); // logged by record; the caller's node times the call out
    return true;
  }

  /** A local worker went away: its calls from other nodes fail with worker_disconnected (recorded for the callers' nodes). */
  workerGone(worker: string): void {
    for (const call of [...this.inbound.values()]) {
      if (call.to === worker) this.answer(worker, call.correlationId, { error: new XrayError('worker_disconnected', `${worker} disconnected before answering`) });
    }
  }

  /** Every committed event of every node, in seq order (the log tail). */
  onEvents(events: readonly XrayEvent[]): void {
    for (const e of events) {
      if (e.kind === 'call.request') this.onRequest(e);
      else if (e.kind === 'call.response' || e.kind === 'call.error' || e.kind === 'call.timeout') this.onOutcome(e);
    }
  }

  private onRequest(e: Extract<XrayEvent, { kind: 'call.request' }>): void {
    const cid = e.data.correlation_id;
    if (this.originated.has(cid) || this.inbound.has(cid) || !e.peer) return;
    const worker = this.host.localSession(e.peer);
    if (!worker) return; // not ours: another node holds the target (or nobody; the caller times out)
    const requestedAt = e.ts;
    const timeoutMs = Math.max(0, requestedAt + e.data.timeout_ms - this.host.now());
    // Forget the call a little after the caller's timeout: a later answer is unknown_correlation, as on one node.
    const timer = setTimeout(() => this.dropInbound(cid), timeoutMs + 1000);
    timer.unref();
    this.inbound.set(cid, { correlationId: cid, from: e.agent, to: e.peer, traceId: e.trace_id, spanId: e.span_id, parentSpanId: e.parent_span_id, requestedAt, timer });
    // Frames the worker streams under this correlation id join the call's trace.
    if (e.trace_id && e.span_id) this.host.calls.remember(cid, { traceId: e.trace_id, spanId: e.span_id });
    this.stats.delivered++;
    worker.send({
      type: 'inbound_call',
      correlation_id: cid,
      method: e.data.method,
      payload: e.data.payload,
      from: e.agent,
      trace_id: e.trace_id ?? '',
      span_id: e.span_id ?? '',
      ...(e.trace_id && e.span_id ? { traceparent: formatTraceparent(e.trace_id, e.span_id) } : {}),
    } as RelayToAgent);
  }

  private onOutcome(e: Extract<XrayEvent, { kind: 'call.response' | 'call.error' | 'call.timeout' }>): void {
    const cid = e.data.correlation_id;
    // Worker side: the caller's node gave up (timeout) — a later answer is refused.
    // (`answer` drops a call before recording its outcome, so an outcome seen while the call is still here is not ours.)
    if (e.kind !== 'call.response' && this.inbound.has(cid)) this.dropInbound(cid);
    // Caller side: the worker's node recorded the answer; settle without recording it again.
    if (!this.outbound.has(cid)) return;
    let outcome: CallOutcome;
    if (e.kind === 'call.response') outcome = { kind: 'response', payload: e.data.payload, recorded: true };
    else if (e.kind === 'call.error') outcome = { kind: 'error', error: new XrayError(e.data.code as never, e.data.message), recorded: true };
    else return; // timeouts belong to this node, which recorded it
    this.outbound.delete(cid);
    this.stats.settledFromLog++;
    this.host.calls.finish(cid, outcome);
  }

  private dropInbound(cid: string): void {
    const call = this.inbound.get(cid);
    if (!call) return;
    clearTimeout(call.timer);
    this.inbound.delete(cid);
  }

  /** Calls waiting on a node whose lease on the target expired (the node died): worker_disconnected. */
  private async checkTargets(): Promise<void> {
    if (!this.outbound.size) return;
    const byNode = new Map<string, Map<string, string[]>>();
    for (const [cid, node] of this.outbound) {
      const call = this.host.calls.get(cid);
      if (!call) {
        this.outbound.delete(cid);
        continue;
      }
      let names = byNode.get(node);
      if (!names) byNode.set(node, (names = new Map()));
      const list = names.get(call.to) ?? [];
      list.push(cid);
      names.set(call.to, list);
    }
    for (const [node, names] of byNode) {
      let live: Set<string>;
      try {
        live = await this.leases.liveOn(node, [...names.keys()]);
      } catch {
        return; // PostgreSQL unreachable: no verdict; the calls' own timeouts still run
      }
      for (const [name, cids] of names) {
        if (live.has(name)) continue;
        for (const cid of cids) {
          if (!this.outbound.delete(cid)) continue;
          this.stats.leaseLost++;
          this.host.calls.finish(cid, { kind: 'error', error: new XrayError('worker_disconnected', `${name} is no longer connected to the cluster (node ${node} stopped renewing its lease)`) });
        }
      }
    }
  }

  async close(): Promise<void> {
    if (this.watch) clearInterval(this.watch);
    for (const cid of [...this.inbound.keys()]) this.dropInbound(cid);
    await this.leases.close();
  }
}
