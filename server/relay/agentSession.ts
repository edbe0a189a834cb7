/**
 * One agent connection: parses and validates every message at the edge, enforces the
 * per-connection rate limit and subscription bound, and dispatches to the relay. A bad
 * message gets an `error` (or `nack`) with a code and never affects other connections.
 */
import { XrayError } from '../../lib/protocol/errors';
import { LIMITS } from '../../lib/protocol/limits';
import { agentToRelay, AGENT_MESSAGE_TYPES, describeZodError, type AgentToRelay, type DataFrame, type RelayToAgent } from '../../lib/protocol/relay';
import type { AgentSocket } from './agentSocket';
import { frameToEvent } from './frameEvents';
import { TokenBucket } from './rateLimiter';
import type { AgentInfo, SessionHost } from './sessionHost';
import { senderScope } from './principal';
import { parseJsonText } from './safeJson';
import { assertNever } from '../../lib/assertNever';

const DEFAULT_RATE = { perSecond: 20_000, burst: 40_000 };

/** The client address of a `host:port` remote (IPv6 hosts contain colons too). */
export function addressOf(remote: string): string {
  const i = remote.lastIndexOf(':');
  return i > 0 ? remote.slice(0, i) : remote;
}

export class AgentSession {
  name: string | null = null;
  readonly subscriptions = new Set<string>();
  private capabilities: string[] = [];
  private readonly connectedAt: number;
  private readonly bucket: TokenBucket;
  private closed = false;
  /** A register is waiting for the cluster's name lease. */
  private registering = false;
  /** The transport's hook for the moment a name is registered (frees the unregistered slot, stops the register timer). */
  onRegistered: (() => void) | null = null;
  /** The idempotency scope of everything this agent sends: its ids can never collide with another sender's (G3). */
  private scope = '';

  constructor(
    private readonly relay: SessionHost<AgentSession>,
    private readonly socket: AgentSocket,
    private authenticated: boolean,
    /** Who this connection is (key principal or anonymous); with the name, its idempotency scope. */
    private principal: string,
  ) {
    this.connectedAt = relay.now();
    const rate = relay.options.rateLimit ?? DEFAULT_RATE;
    this.bucket = new TokenBucket(rate.perSecond, rate.burst);
  }

  get remote(): string {
    return this.socket.remote;
  }

  get address(): string {
    return this.socket.address;
  }

  info(): AgentInfo {
    return { name: this.name ?? '', remote: this.remote, connectedAt: this.connectedAt, capabilities: this.capabilities, subscriptions: [...this.subscriptions] };
  }

  send(message: RelayToAgent): void {
    if (!this.closed) this.socket.send(message);
  }

  /** Entry point for every message from the wire. Never throws. */
  receive(raw: string | Buffer, isBinary = false): void {
    let msg: AgentToRelay | undefined;
    try {
      msg = this.parse(raw, isBinary);
      this.dispatch(msg);
    } catch (err) {
      this.fail(err, msg);
    }
  }

  private parse(raw: string | Buffer, isBinary: boolean): AgentToRelay {
    if (isBinary) throw new XrayError('binary_not_supported');
    const text = typeof raw === 'string' ? raw : raw.toString('utf8');
    if (Buffer.byteLength(text) > LIMITS.wsMessageBytes) throw new XrayError('too_large', `message exceeds ${LIMITS.wsMessageBytes} bytes`);
    // Rate limit counts frames, so a batch is not a way around it.
    if (!this.bucket.take(1)) {
      this.relay.stats.rateLimited++;
      throw new XrayError('rate_limited', 'message rate limit exceeded on this connection');
    }
    const json = parseJsonText(text);
    const type = (json as { type?: unknown } | null)?.type;
    if (typeof type === 'string' && !(AGENT_MESSAGE_TYPES as string[]).includes(type)) {
      throw new XrayError('unknown_type', `unknown message type "${type.slice(0, 64)}"; expected one of ${AGENT_MESSAGE_TYPES.join(', ')}`);
    }
    const parsed = agentToRelay.safeParse(json);
    if (!parsed.success) throw new XrayError('invalid_message', describeZodError(parsed.error));
    if (parsed.data.type === 'frames' && parsed.data.frames.length > 1 && !this.bucket.take(parsed.data.frames.length - 1)) {
      this.relay.stats.rateLimited++;
      throw new XrayError('rate_limited', 'frame rate limit exceeded on this connection');
    }
    return parsed.data;
  }

  private requireName(): string {
    if (!this.name) throw new XrayError('not_registered');
    return this.name;
  }

  private dispatch(msg: AgentToRelay): void {
    switch (msg.type) {
      case 'register': {
        if (this.name || this.registering) throw new XrayError('already_registered', `this connection is already registered as "${this.name ?? msg.name}"`);
        if (!this.authenticated) {
          try {
            this.relay.authenticateKey(msg.key, addressOf(this.remote));
          } catch (err) {
            // A failed key ends the connection (after the coded error): one socket cannot try key after key.
            this.fail(err, msg);
            this.close(1008, 'agent key refused');
            return;
          }
        }
        if (!this.authenticated) this.principal = this.relay.principalOf(msg.key);
        this.authenticated = true;
        const registered = () => {
          this.scope = senderScope(this.principal, 'agent', msg.name);
          this.name = msg.name;
          this.capabilities = msg.capabilities ?? [];
          this.onRegistered?.();
          this.send({ type: 'registered', name: msg.name });
        };
        const claim = this.relay.register(this, msg.name, msg.capabilities);
        if (!claim) return registered();
        // Multi-node mode: `registered` only once the name is leased cluster-wide.
        this.registering = true;
        claim.then(
          () => {
            this.registering = false;
            if (!this.closed) registered();
          },
          (err: unknown) => {
            this.registering = false;
            this.fail(err, msg);
          },
        );
        return;
      }
      case 'call_response':
        this.relay.respond(this, msg.correlation_id, msg.payload, msg.error);
        return;
      case 'call': {
        const from = this.requireName();
        this.relay.call(from, msg, 'ws', this.address).then(
          (r) => this.send({ type: 'call_result', ref: msg.ref, correlation_id: r.correlation_id, trace_id: r.trace_id, span_id: r.span_id, payload: r.payload }),
          (err: XrayError) =>
            this.send({
              type: 'call_result',
              ref: msg.ref,
              correlation_id: '',
              trace_id: (err.details?.trace_id as string) ?? '',
              span_id: '',
              error: { code: err.code ?? 'internal', message: err.message },
            }),
        );
        return;
      }
      case 'broadcast': {
        const from = this.requireName();
        const done = this.relay.broadcast(from, msg.topic, msg.payload, msg.id, msg.trace_id, { scope: this.scope });
        this.ackWhenDurable(done.then((r) => [r.id]), msg.ack, msg.id ? [msg.id] : []);
        return;
      }
      case 'subscribe':
        this.requireName();
        if (!this.subscriptions.has(msg.topic) && this.subscriptions.size >= LIMITS.subscriptionsPerConnection) {
          throw new XrayError('too_many_subscriptions', `at most ${LIMITS.subscriptionsPerConnection} topics per connection`);
        }
        this.subscriptions.add(msg.topic);
        this.relay.subscribe(this, msg.topic);
        return;
      case 'unsubscribe':
        this.subscriptions.delete(msg.topic);
        this.relay.unsubscribe(this, msg.topic);
        return;
      case 'frames':
        this.ingest(msg.frames, msg.ack);
        return;
      case 'span.watch':
      case 'span.unwatch':
        this.requireName();
        this.watchSpans(msg);
        return;
      case 'token':
      case 'span.start':
      case 'span.end':
        this.ingest([msg], msg.ack);
        return;
      default:
        assertNever(msg, 'message');
    }
  }

  private watchSpans(msg: Extract<AgentToRelay, { type: 'span.watch' | 'span.unwatch' }>): void {
    const watches = this.relay.spanWatches;
    try {
      if (!watches) throw new XrayError('unknown_type', 'span watches are not enabled on this relay');
      if (msg.type === 'span.watch') watches.watch(this, msg);
      else watches.unwatch(this, msg.id);
    } catch (err) {
      const e = err instanceof XrayError ? err : new XrayError('internal');
      this.relay.stats.rejected++;
      this.send({ type: 'error', code: e.code, message: e.message, ref: msg.id });
    }
  }

  /** Validated frames → events, all or nothing: one unresolvable frame refuses the batch. */
  private ingest(frames: DataFrame[], ack: boolean | undefined): void {
    const agent = this.requireName();
    const now = this.relay.now();
    const events = frames.map((f) => frameToEvent(f, agent, now, (id) => this.relay.calls.context(id), this.scope));
    const ids = events.map((e) => e.id);
    this.ackWhenDurable(this.relay.writer.submit(events).then(() => ids), ack || frames.some((f) => f.ack), ids);
  }

  private ackWhenDurable(done: Promise<string[]>, ack: boolean | undefined, ids: string[]): void {
    done.then(
      (stored) => {
        if (ack) this.send({ type: 'ack', ids: stored });
      },
      (err: XrayError) => this.send({ type: 'nack', ids, code: err.code ?? 'storage_failed', reason: err.message }),
    );
  }

  private fail(err: unknown, msg: AgentToRelay | undefined): void {
    this.relay.stats.rejected++;
    const e = err instanceof XrayError ? err : new XrayError('internal', 'internal error');
    if (!(err instanceof XrayError)) console.error('[relay] unexpected error handling a message:', err);
    const ids = msg && 'frames' in msg ? msg.frames.flatMap((f) => (f.id ? [f.id] : [])) : msg && 'id' in msg && msg.id ? [msg.id] : [];
    const wantsAck = msg && 'ack' in msg && msg.ack;
    // An acked frame that was refused gets a nack so the sender stops retrying it; everything else an error.
    if (wantsAck && ids.length) this.send({ type: 'nack', ids, code: e.code, reason: e.message });
    else this.send({ type: 'error', code: e.code, message: e.message, ...(msg && 'correlation_id' in msg && msg.correlation_id ? { ref: msg.correlation_id } : msg && 'ref' in msg ? { ref: msg.ref } : {}) });
  }

  /** Closes the socket and tells the relay at once, so bookkeeping never waits on the network. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.socket.close(code, reason);
    this.onClosed(reason);
  }

  /** The transport calls this when the socket has closed. Idempotent. */
  onClosed(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.relay.disconnected(this, reason);
  }
}
