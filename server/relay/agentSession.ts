/**
 * One agent connection's state: its socket, name, subscriptions, rate bucket and idempotency
 * scope. No logic that decides anything: `Relay.handleMessage(session, raw)` parses, checks and
 * dispatches every message (after tldraw's TLSyncRoom, whose sessions are state and whose room
 * handles every message). The session knows nothing of the relay, so it cannot reach into it.
 */
import type { RelayToAgent } from '../../lib/protocol/relay';
import type { AgentSocket } from './agentSocket';
import { AckCoalescer } from './ackCoalescer';
import { TokenBucket } from './rateLimiter';

/** What `GET /v1/agents` and the dashboard's agent list show of a connection. */
export interface AgentInfo {
  name: string;
  remote: string;
  connectedAt: number;
  capabilities: string[];
  subscriptions: string[];
}

export class AgentSession {
  /** Set once `register` succeeded (after the cluster lease in multi-node mode). */
  name: string | null = null;
  capabilities: string[] = [];
  readonly subscriptions = new Set<string>();
  /** Per-connection message rate limit: counts frames, so a batch is no way around it. */
  readonly bucket: TokenBucket;
  /** A register is waiting for the cluster's name lease: a second one is already_registered. */
  registering = false;
  /** The idempotency scope of everything this agent sends: its ids never collide with another sender's (G3). */
  scope = '';
  /** The transport's hook for the moment a name is registered (frees the unregistered slot, stops the register timer). */
  onRegistered: (() => void) | null = null;
  private closed = false;

  constructor(
    readonly socket: AgentSocket,
    /** Whether a valid key was presented (on the upgrade, or in `register`), or none is required. */
    public authenticated: boolean,
    /** Who this connection is (key principal or anonymous); with the name, its idempotency scope. */
    public principal: string,
    readonly connectedAt: number,
    rate: { perSecond: number; burst: number },
    /** Longest this connection's acks are held for company (AckCoalescer); the relay's option. */
    ackHoldMs: number,
    /** Told each time the bucket refuses (the relay counts them). */
    private readonly onRateLimited: () => void,
  ) {
    this.bucket = new TokenBucket(rate.perSecond, rate.burst);
    this.acks = new AckCoalescer((m) => this.send(m), ackHoldMs);
  }

  /**
   * Takes n tokens from this connection's bucket: false (and counted) when it has too few. One
   * function per connection, not a closure per message: parseAgentMessage takes it on every
   * message (issue 18).
   */
  readonly take = (n: number): boolean => {
    if (this.bucket.take(n)) return true;
    this.onRateLimited();
    return false;
  };

  get remote(): string {
    return this.socket.remote;
  }

  /** The client's IP address alone (per-address shares and key backoff count against it). */
  get address(): string {
    return this.socket.address;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  info(): AgentInfo {
    return { name: this.name ?? '', remote: this.remote, connectedAt: this.connectedAt, capabilities: this.capabilities, subscriptions: [...this.subscriptions] };
  }

  /** Nothing is sent after the close: a late call result or topic message goes nowhere. */
  send(message: RelayToAgent): void {
    if (!this.closed) this.socket.send(message);
  }

  /** Acks and nacks of acked messages (ackCoalescer.ts). */
  readonly acks: AckCoalescer;

  /** Marks the session closed; true only the first time, so the relay's bookkeeping runs once. */
  markClosed(): boolean {
    if (this.closed) return false;
    this.closed = true;
    this.acks.close();
    return true;
  }
}
