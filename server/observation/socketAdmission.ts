/**
 * Admission to the dashboard's Socket.IO server, before any namespace: a fair share of
 * engine connections per client address (refused at the handshake with 403 and the
 * `too_many_connections` code in the message), and counters for /metrics. Connections that
 * never join a namespace are closed by Socket.IO's `connectTimeout`; connections a namespace
 * middleware refused are closed by `dropRefused`, so unauthenticated clients are never held.
 */
import type { IncomingMessage } from 'node:http';
import type { Server } from 'socket.io';
import { AddressSlots } from '../relay/addressSlots';

/** Engine connections in the whole dashboard, the outer bound behind the per-address share. */
const TOTAL_CONNECTIONS = 10_000;

interface Slot {
  address: string;
  /** Who releases it: the handshake's TCP socket until the engine connection exists, then the connection. */
  owner: 'request' | 'engine' | 'released';
}

export class SocketAdmission {
  readonly slots: AddressSlots;
  /** Counters for /metrics (slow bodies: the dashboard port's HTTP requests refused as slowloris). */
  readonly stats = { unauthenticatedClosed: 0, slowBodies: 0 };
  private readonly pending = new WeakMap<IncomingMessage, Slot>();

  constructor(perAddress: number) {
    this.slots = new AddressSlots(perAddress, Math.max(perAddress, TOTAL_CONNECTIONS));
  }

  /** engine.io `allowRequest`: runs for every new connection's handshake (polling or WebSocket). */
  readonly allowRequest = (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void): void => {
    const address = req.socket.remoteAddress ?? '?';
    const refused = this.slots.acquire(address);
    if (refused) {
      callback(refused === 'address' ? `too_many_connections: at most ${this.slots.perAddress} dashboard connections per client address` : 'too_many_connections: the dashboard is full', false);
      return;
    }
    const slot: Slot = { address, owner: 'request' };
    this.pending.set(req, slot);
    // A handshake that never becomes a connection (aborted, bad transport) gives its slot back.
    req.socket.once('close', () => this.release(slot, 'request'));
    callback(null, true);
  };

  /** Hands each handshake's slot to its engine connection, released when that closes. */
  track(io: Server): void {
    io.engine.on('connection', (conn: { request: IncomingMessage; once(ev: 'close', fn: () => void): void }) => {
      const slot = this.pending.get(conn.request);
      if (!slot || slot.owner !== 'request') return;
      slot.owner = 'engine';
      conn.once('close', () => this.release(slot, 'engine'));
    });
  }

  /** Closes the engine connection of a socket a namespace middleware refused, once the refusal is flushed. */
  dropRefused(conn: { close(): void }): void {
    this.stats.unauthenticatedClosed++;
    // engine.io flushes its write buffer (the CONNECT_ERROR packet) before closing the transport.
    setImmediate(() => conn.close());
  }

  private release(slot: Slot, by: Slot['owner']): void {
    if (slot.owner !== by) return;
    slot.owner = 'released';
    this.slots.release(slot.address);
  }
}
