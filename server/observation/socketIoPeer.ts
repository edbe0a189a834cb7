/**
 * The Socket.IO side of the fanout's `DashboardPeer` seam, and the one place that reads
 * engine.io's internals. Backpressure is measured in packets engine.io has queued but not yet
 * written to the transport (`conn.writeBuffer`, not ws `bufferedAmount`: DESIGN.md) — there is
 * no public API for it, hence the cast, kept here alone.
 */
import type { Namespace, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../../lib/protocol/dashboard';
import type { DashboardPeer, DeltaBroadcast } from './fanout';

export type DashboardSocket = Socket<ClientToServerEvents, ServerToClientEvents>;
export type DashboardNamespace = Namespace<ClientToServerEvents, ServerToClientEvents>;

/** A dashboard socket as a fanout peer; `socket` stays reachable for the transport's own bookkeeping (its session). */
export interface SocketPeer extends DashboardPeer {
  readonly socket: DashboardSocket;
}

/** Packets engine.io has queued but not yet written to the transport. */
export function queuedPackets(socket: DashboardSocket): number {
  return (socket.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length;
}

export function socketPeer(socket: DashboardSocket): SocketPeer {
  return {
    socket,
    id: socket.id,
    backlog: () => queuedPackets(socket),
    send: (event, ...args) => socket.emit(event, ...args),
  };
}

/** Sends one delta to a group through their socket-id rooms: Socket.IO encodes the packet once for all of them. */
export function roomBroadcast(nsp: DashboardNamespace): DeltaBroadcast<SocketPeer> {
  return (peers, delta) => nsp.to(peers.map((p) => p.id)).emit('delta', delta);
}
