/**
 * The relay: agents register names, call each other (WS or REST), broadcast on topics and
 * stream frames. Transport-agnostic: it talks to `AgentSocket`s. It is the one entry point for
 * agent messages (`handleMessage`, after tldraw's TLSyncRoom.handleMessage): parse at the edge,
 * dispatch, ingest; sessions are per-connection state only. Everything it learns goes to the log
 * through the writer; topic messages are delivered from the commit stream (the "topic delivery"
 * stage of the commit pipeline, wired in xray.ts), so subscribers only ever see durable
 * messages, in seq order.
 */
import { XrayError } from '../../lib/protocol/errors';
import type { NewEvent, XrayEvent } from '../../lib/protocol/events';
import { mintEventId } from '../../lib/protocol/ids';
import { LIMITS } from '../../lib/protocol/limits';
import type { AgentToRelay, DataFrame, RelayToAgent, RestCallResult } from '../../lib/protocol/relay';
import { assertNever } from '../../lib/assertNever';
import type { LogWriter } from '../store/logWriter';
import type { ScopedEvent } from '../store/eventLog';
import { AttemptLimiter } from '../auth/attemptLimiter';
import { AgentSession, type AgentInfo } from './agentSession';
import { parseAgentMessage, refusal, writeFailed } from './agentMessages';
import { frameToEvent } from './frameEvents';
import type { AgentSocket } from './agentSocket';
import { InFlightCalls } from './inFlightCalls';
import { RelayCalls, type CallRequest } from './relayCalls';
import { PeerGuards } from './peerGuards';
import { senderScope } from './principal';
import { AgentKeys } from './agentKeys';
import type { PeerLimits } from '../config';
import type { AgentSpanWatches } from '../spans/agentSpanWatches';
import { ClusterRouter } from './clusterRouter';
import type { NameLeases } from './nameLeases';

export type { AgentInfo } from './agentSession';

export type { CallRequest } from './relayCalls';

const DEFAULT_RATE = { perSecond: 20_000, burst: 40_000 };

export interface RelayOptions {
  /** Per-connection message rate limit. */
  rateLimit?: { perSecond: number; burst: number };
  /** Longest a connection's ack waits for its other in-flight acked messages (ackCoalescer.ts; 0 = never). */
  ackHoldMs?: number;
  /** When set, agents must present one of these keys (on the upgrade or in `register`). */
  agentKeys?: ReadonlySet<string> | null;
  /** Per-address fair shares and slow-peer timeouts (defaults: DEFAULT_PEER_LIMITS). */
  limits?: PeerLimits;
  /** Backoff for wrong agent keys per client address. */
  keyAttempts?: AttemptLimiter;
  now?: () => number;
}


export class Relay {
  readonly peers: PeerGuards;
  readonly calls: InFlightCalls;
  private readonly sessions = new Set<AgentSession>();
  private readonly byName = new Map<string, AgentSession>();
  private readonly topics = new Map<string, Set<AgentSession>>();
  private closing = false;
  readonly now: () => number;
  readonly stats = { rejected: 0, rateLimited: 0, bookkeepingLost: 0 };
  private readonly keys: AgentKeys;
  /** Call routing and outcomes (relayCalls.ts). */
  private readonly routing: RelayCalls;
  /** Span watches over agent sockets (server/spans), attached by the data plane. */
  spanWatches: AgentSpanWatches | null = null;
  /** Multi-node mode: names leased cluster-wide and calls across nodes through the log (attachCluster). */
  cluster: ClusterRouter | null = null;

  constructor(
    readonly writer: LogWriter,
    readonly options: RelayOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.peers = new PeerGuards(options.limits);
    this.calls = new InFlightCalls(this.peers.calls);
    this.routing = new RelayCalls({
      calls: this.calls,
      now: () => this.now(),
      closing: () => this.closing,
      localWorker: (name) => this.byName.get(name),
      cluster: () => this.cluster,
      record: (e) => this.record(e),
      bookkeepingLost: () => void this.stats.bookkeepingLost++,
    });
    this.keys = new AgentKeys(options.agentKeys, options.keyAttempts ?? new AttemptLimiter());
  }

  /**
   * Multi-node mode: agent names become leases in the shared database and calls to agents on
   * other nodes go through the log. The commit source must then be the log tail (every
   * node's events), which it is when the writer announces the tail's commits (dataPlane.ts).
   */
  attachCluster(leases: NameLeases, options: { leaseWatchMs: number }): ClusterRouter {
    this.cluster = new ClusterRouter(
      {
        calls: this.calls,
        now: () => this.now(),
        localSession: (name) => this.byName.get(name),
        record: (e) => this.record(e as Parameters<Relay['record']>[0]),
      },
      leases,
      options,
    );
    this.cluster.start();
    return this.cluster;
  }

  /**
   * Another node holds a name this node's agent had (its lease expired while PostgreSQL was
   * out of reach and another agent took it): the local connection no longer owns the name,
   * so it is told and closed; the agent reconnects and registers again (name_taken until free).
   */
  nameLost(name: string): void {
    const session = this.byName.get(name);
    if (!session) return;
    session.send({ type: 'error', code: 'name_taken', message: `"${name}" was taken by another node while this node could not renew its lease; register again` });
    this.closeSession(session, 1008, 'name lease lost');
  }

  /** The "cluster calls" commit stage (xray.ts): requests for this node's workers and answers for its callers, from every node's commits. */
  readonly routeClusterCalls = (events: readonly XrayEvent[]): void => {
    this.cluster?.onEvents(events);
  };

  /** The one key check for every entry (upgrade, `register`, REST, SSE, OTLP); see AgentKeys.authenticate. */
  authenticateKey(key: string | undefined, address: string): void {
    this.keys.authenticate(key, address);
  }

  get keysRequired(): boolean {
    return this.keys.required;
  }

  /** The principal a presented key stands for (see principal.ts). */
  principalOf(key: string | undefined): string {
    return this.keys.principalOf(key);
  }

  /** A new agent connection; `authenticated` when it already presented a valid key (`key`) on the upgrade. */
  connect(socket: AgentSocket, authenticated = false, key?: string): AgentSession {
    const rate = this.options.rateLimit ?? DEFAULT_RATE;
    const session = new AgentSession(socket, authenticated || !this.keysRequired, this.principalOf(authenticated ? key : undefined), this.now(), rate, this.options.ackHoldMs ?? 0, this.countRateLimitedMessage);
    if (this.closing) {
      socket.send({ type: 'error', code: 'shutting_down', message: 'The relay is shutting down.' });
      socket.close(1001, 'shutting down');
      return session;
    }
    this.sessions.add(session);
    return session;
  }

  /**
   * The one entry point for every message an agent sends. Parses it at the edge (size, rate,
   * JSON, schema), dispatches it, and answers a refusal with a coded `error` or `nack`. Never
   * throws: a bad message affects neither this connection's later messages nor any other.
   */
  handleMessage(session: AgentSession, raw: string | Buffer, isBinary = false): void {
    let msg: AgentToRelay | undefined;
    try {
      msg = parseAgentMessage(raw, isBinary, session.take);
      this.dispatch(session, msg);
    } catch (err) {
      this.refuse(session, err, msg);
    }
  }

  /** The transport reports that the socket has closed (or errored). Idempotent. */
  handleClose(session: AgentSession, reason: string): void {
    if (session.markClosed()) this.disconnected(session, reason);
  }

  /** Closes a connection from the relay's side, and does its bookkeeping at once: it never waits on the network. */
  closeSession(session: AgentSession, code: number, reason: string): void {
    if (session.isClosed) return;
    session.socket.close(code, reason);
    this.handleClose(session, reason);
  }

  private readonly countRateLimitedMessage = (): void => {
    this.stats.rateLimited++;
  };

  private dispatch(session: AgentSession, msg: AgentToRelay): void {
    switch (msg.type) {
      case 'register':
        return this.handleRegister(session, msg);
      case 'call_response':
        return this.routing.respond(session.name, msg.correlation_id, msg.payload, msg.error);
      case 'call':
        return this.handleCall(session, msg);
      case 'broadcast': {
        const from = requireName(session);
        const done = this.broadcast(from, msg.topic, msg.payload, msg.id, msg.trace_id, { scope: session.scope });
        return this.ackWhenDurable(session, done.then((r) => [r.id]), msg.ack, msg.id ? [msg.id] : []);
      }
      case 'subscribe':
        requireName(session);
        if (!session.subscriptions.has(msg.topic) && session.subscriptions.size >= LIMITS.subscriptionsPerConnection) {
          throw new XrayError('too_many_subscriptions', `at most ${LIMITS.subscriptionsPerConnection} topics per connection`);
        }
        return this.subscribe(session, msg.topic);
      case 'unsubscribe':
        return this.unsubscribe(session, msg.topic);
      case 'frames':
        return this.ingest(session, msg.frames, msg.ack);
      case 'span.watch':
      case 'span.unwatch':
        requireName(session);
        return this.watchSpans(session, msg);
      case 'token':
      case 'span.start':
      case 'span.end':
        return this.ingest(session, [msg], msg.ack);
      default:
        assertNever(msg, 'message');
    }
  }

  private handleRegister(session: AgentSession, msg: Extract<AgentToRelay, { type: 'register' }>): void {
    if (session.name || session.registering) throw new XrayError('already_registered', `this connection is already registered as "${session.name ?? msg.name}"`);
    if (!session.authenticated) {
      try {
        this.authenticateKey(msg.key, session.address);
      } catch (err) {
        // A failed key ends the connection (after the coded error): one socket cannot try key after key.
        this.refuse(session, err, msg);
        this.closeSession(session, 1008, 'agent key refused');
        return;
      }
      session.principal = this.principalOf(msg.key);
      session.authenticated = true;
    }
    const registered = () => {
      session.scope = senderScope(session.principal, 'agent', msg.name);
      session.name = msg.name;
      session.capabilities = msg.capabilities ?? [];
      session.onRegistered?.();
      session.send({ type: 'registered', name: msg.name });
    };
    const claim = this.register(session, msg.name, msg.capabilities);
    if (!claim) return registered();
    // Multi-node mode: `registered` only once the name is leased cluster-wide.
    session.registering = true;
    claim.then(
      () => {
        session.registering = false;
        if (!session.isClosed) registered();
      },
      (err: unknown) => {
        session.registering = false;
        this.refuse(session, err, msg);
      },
    );
  }

  /** A WS call: its outcome (answer or coded error) comes back as one `call_result` with the caller's ref. */
  private handleCall(session: AgentSession, msg: Extract<AgentToRelay, { type: 'call' }>): void {
    const from = requireName(session);
    this.call(from, msg, 'ws', session.address).then(
      (r) => session.send({ type: 'call_result', ref: msg.ref, correlation_id: r.correlation_id, trace_id: r.trace_id, span_id: r.span_id, payload: r.payload }),
      (err: XrayError) =>
        session.send({
          type: 'call_result',
          ref: msg.ref,
          correlation_id: '',
          trace_id: (err.details?.trace_id as string) ?? '',
          span_id: '',
          error: { code: err.code ?? 'internal', message: err.message },
        }),
    );
  }

  /** Span watches answer with the watch's id as ref, so a refusal here is not the generic one. */
  private watchSpans(session: AgentSession, msg: Extract<AgentToRelay, { type: 'span.watch' | 'span.unwatch' }>): void {
    const watches = this.spanWatches;
    try {
      if (!watches) throw new XrayError('unknown_type', 'span watches are not enabled on this relay');
      if (msg.type === 'span.watch') watches.watch(session, msg);
      else watches.unwatch(session, msg.id);
    } catch (err) {
      const e = err instanceof XrayError ? err : new XrayError('internal');
      this.stats.rejected++;
      session.send({ type: 'error', code: e.code, message: e.message, ref: msg.id });
    }
  }

  /** Validated frames → events, all or nothing: one unresolvable frame refuses the batch. */
  private ingest(session: AgentSession, frames: DataFrame[], ack: boolean | undefined): void {
    const agent = requireName(session);
    const now = this.now();
    const events = new Array<ScopedEvent>(frames.length);
    let wantsAck = ack === true;
    for (let i = 0; i < frames.length; i++) {
      events[i] = frameToEvent(frames[i], agent, now, this.correlationLookup, session.scope);
      if (frames[i].ack) wantsAck = true;
    }
    // One callback per message, no promise (ingest is hot): ack with the ids once durable, or
    // nack. The ids are read off the events only when an answer needs them.
    if (wantsAck) session.acks.expect();
    this.writer.enqueue(events, (err) => {
      if (err) session.acks.nack(writeFailed(idsOf(events), err), wantsAck);
      else if (wantsAck) session.acks.ack(idsOf(events));
    });
  }

  /** Joins a frame naming only a correlation id to its call's trace (one closure, not one per frame). */
  private readonly correlationLookup = (id: string) => this.calls.context(id);

  /** Acks follow the commit, never precede it (G2); a failed write is a coded nack. */
  private ackWhenDurable(session: AgentSession, done: Promise<string[]>, ack: boolean | undefined, ids: string[]): void {
    const wantsAck = ack === true;
    if (wantsAck) session.acks.expect();
    done.then(
      (stored) => {
        if (wantsAck) session.acks.ack(stored);
      },
      (err: XrayError) => session.acks.nack(writeFailed(ids, err), wantsAck),
    );
  }

  private refuse(session: AgentSession, err: unknown, msg: AgentToRelay | undefined): void {
    this.stats.rejected++;
    if (!(err instanceof XrayError)) console.error('[relay] unexpected error handling a message:', err);
    session.send(refusal(err instanceof XrayError ? err : new XrayError('internal', 'internal error'), msg));
  }

  /** Ingest backpressure for transports: true while the log writer is over its high-water mark. */
  get ingestOverloaded(): boolean {
    return this.writer.overloaded;
  }

  /** Calls `listener` after each commit that brought the writer back under its high-water mark. */
  onIngestDrain(listener: () => void): void {
    this.writer.onDrain(listener);
  }

  /** The log's newest seq: where a new SSE subscriber starts. */
  head(): number {
    return this.writer.head();
  }

  /** The oldest seq retention has kept: an SSE resume point before it would skip messages. */
  oldestResumable(): Promise<number> {
    return this.writer.log.floor();
  }

  /** What /healthz reports of the store. */
  storageStatus(): { head: number; storage: ReturnType<LogWriter['health']['current']> } {
    return { head: this.writer.head(), storage: this.writer.health.current() };
  }

  /** A REST request refused by the transport's per-address rate limit (counted with the agents' ones). */
  countRateLimited(): void {
    this.stats.rateLimited++;
  }

  agents(): AgentInfo[] {
    return [...this.byName.values()].map((s) => s.info());
  }

  isConnected(name: string): boolean {
    return this.byName.has(name);
  }

  /**
   * Claims a name for a session. Throws name_taken while another live session holds it. In
   * multi-node mode the name is also leased cluster-wide: the returned promise settles once
   * the lease is taken (name_taken when another node holds it).
   */
  private register(session: AgentSession, name: string, capabilities: string[] | undefined): void | Promise<void> {
    const holder = this.byName.get(name);
    if (holder && holder !== session) throw new XrayError('name_taken', `"${name}" is registered by another live connection`);
    this.byName.set(name, session);
    const noteRegister = () =>
      this.note({
        kind: 'agent.register',
        agent: name,
        data: { transport: 'ws', ...(capabilities?.length ? { capabilities } : {}) },
      });
    const cluster = this.cluster;
    if (!cluster) return noteRegister();
    const unclaim = () => {
      if (this.byName.get(name) === session) this.byName.delete(name);
    };
    return cluster.leases.claim(name).then(
      (held) => {
        if (held && this.sessions.has(session)) return noteRegister();
        unclaim();
        if (held) void cluster.leases.release(name).catch(() => undefined); // the socket closed meanwhile
        throw new XrayError('name_taken', held ? `the connection closed while "${name}" was being registered` : `"${name}" is registered on another node of the cluster`);
      },
      (err: Error) => {
        unclaim();
        throw new XrayError('storage_unavailable', `the cluster's name table cannot be reached (${err.message}); register again`);
      },
    );
  }

  private subscribe(session: AgentSession, topic: string): void {
    session.subscriptions.add(topic);
    let set = this.topics.get(topic);
    if (!set) this.topics.set(topic, (set = new Set()));
    if (set.has(session)) return;
    set.add(session);
    this.note({ kind: 'subscribe', agent: session.name ?? session.remote, topic, data: { transport: 'ws' } });
  }

  private unsubscribe(session: AgentSession, topic: string): void {
    session.subscriptions.delete(topic);
    const set = this.topics.get(topic);
    set?.delete(session);
    if (set?.size === 0) this.topics.delete(topic);
  }

  /** A connection ended (handleClose, once): frees the name, fails calls addressed to it. */
  private disconnected(session: AgentSession, reason: string): void {
    this.sessions.delete(session);
    this.spanWatches?.drop(session);
    for (const topic of [...session.subscriptions]) this.unsubscribe(session, topic);
    const name = session.name;
    if (!name || this.byName.get(name) !== session) return;
    this.byName.delete(name);
    for (const call of this.calls.to(name)) {
      this.calls.finish(call.correlationId, { kind: 'error', error: new XrayError('worker_disconnected', `${name} disconnected before answering`) });
    }
    if (this.cluster) {
      this.cluster.workerGone(name); // its calls from other nodes fail there too
      this.cluster.leases.release(name).catch(() => undefined); // else it frees when the lease expires
    }
    this.note({ kind: 'agent.disconnect', agent: name, data: { reason } });
  }

  /**
   * Routes a call to a connected agent and resolves with its answer (relayCalls.ts). The call
   * gets a span in the caller's trace (or a new Neural Trace), propagated to the worker.
   */
  call(from: string, req: CallRequest, via: 'rest' | 'ws', address: string): Promise<RestCallResult> {
    return this.routing.call(from, req, via, address);
  }

  /**
   * Publishes on a topic; resolves with the seq once durable. `from` must be the sender's
   * authenticated identity; `scope` is its idempotency scope (a client id is only ever a
   * duplicate of the same sender's earlier message); `fromUnverified` records a claimed name.
   */
  async broadcast(
    from: string,
    topic: string,
    payload: string,
    id?: string,
    traceId?: string,
    meta: { scope?: string; fromUnverified?: string } = {},
  ): Promise<{ id: string; seq: number; duplicate: boolean }> {
    if (this.closing) throw new XrayError('shutting_down');
    const data = meta.fromUnverified ? { payload, from_unverified: meta.fromUnverified } : { payload };
    const [r] = await this.writer.submit([
      { id: id ?? mintEventId(), ts: this.now(), t: null, kind: 'broadcast', trace_id: traceId ?? null, span_id: null, parent_span_id: null, agent: from, peer: null, topic, data, scope: id ? meta.scope : undefined },
    ]);
    return r;
  }

  /**
   * Writes one event with defaults for the envelope fields the caller leaves out. Private: its
   * promise rejects on a storage failure, so every caller must handle it (`note` for
   * bookkeeping, `recordOutcome` → the caller's coded answer); none may drop it.
   */
  private record(e: Partial<NewEvent> & Pick<NewEvent, 'kind' | 'agent' | 'data'>): Promise<unknown> {
    return this.writer
      .submit([{ id: mintEventId(), ts: this.now(), t: null, trace_id: null, span_id: null, parent_span_id: null, peer: null, topic: null, ...e } as NewEvent])
      .catch((err: Error) => {
        // Relay-originated bookkeeping events have no one to nack; surface the failure loudly.
        console.error(`[relay] could not record ${e.kind}: ${err.message}`);
        throw err;
      });
  }

  /**
   * Records a bookkeeping event nobody waits for (register, subscribe, disconnect, call
   * request). A failure is logged by `record` and counted here, never left as a dropped
   * promise: an unhandled rejection would take the process down on a full disk.
   */
  private note(e: Parameters<Relay['record']>[0]): void {
    this.record(e).catch(() => {
      this.stats.bookkeepingLost++;
    });
  }

  /** The "topic delivery" commit stage: broadcasts go to WS subscribers once they are durable. */
  readonly deliverTopicMessages = (events: readonly XrayEvent[]): void => {
    for (const e of events) {
      if (e.kind !== 'broadcast' || !e.topic) continue;
      const subs = this.topics.get(e.topic);
      if (!subs) continue;
      const msg: RelayToAgent = { type: 'message', topic: e.topic, payload: e.data.payload, seq: e.seq, from: e.agent };
      for (const s of subs) s.send(msg);
    }
  };

  /** Stops accepting, fails calls in flight with shutting_down, closes every agent socket. */
  shutdown(): void {
    this.closing = true;
    for (const call of this.calls.all()) this.calls.finish(call.correlationId, { kind: 'error', error: new XrayError('shutting_down') });
    for (const s of [...this.sessions]) this.closeSession(s, 1001, 'relay shutting down');
  }
}

function requireName(session: AgentSession): string {
  if (!session.name) throw new XrayError('not_registered');
  return session.name;
}

/** The ids of a message's events, in order: what its ack or nack names. */
function idsOf(events: readonly ScopedEvent[]): string[] {
  const ids = new Array<string>(events.length);
  for (let i = 0; i < events.length; i++) ids[i] = events[i].id;
  return ids;
}
