/**
 * The per-address fair shares of the data plane and the counters /metrics reports for them.
 * One object, built from the configured limits, shared by the relay (calls), the HTTP/WS
 * server (connections, timeouts) and the SSE hub (streams).
 */
import { DEFAULT_PEER_LIMITS, type PeerLimits } from '../config';
import { AddressSlots } from './addressSlots';

export class PeerGuards {
  /** Agent WebSocket connections. */
  readonly ws: AddressSlots;
  /** WebSocket connections that have not registered yet (closed after `registerTimeoutMs`). */
  readonly unregistered: AddressSlots;
  /** SSE streams (`GET /v1/subscribe`). */
  readonly sse: AddressSlots;
  /** Calls in flight, counted by the caller's address (WS session or REST request). */
  readonly calls: AddressSlots;
  /** Counters for /metrics. */
  readonly stats = { registerTimeouts: 0, slowBodies: 0 };

  constructor(readonly limits: PeerLimits = DEFAULT_PEER_LIMITS) {
    this.ws = new AddressSlots(limits.wsPerAddress, limits.wsTotal);
    // Unregistered sockets are a subset of all sockets: the global bound is the WS total.
    this.unregistered = new AddressSlots(limits.wsUnregisteredPerAddress, limits.wsTotal);
    this.sse = new AddressSlots(limits.ssePerAddress, limits.sseTotal);
    this.calls = new AddressSlots(limits.callsPerAddress, limits.callsTotal);
  }
}
