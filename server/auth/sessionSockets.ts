/**
 * A Socket.IO connection is authenticated once, at its handshake; a session that ends later
 * (logout, expiry) must not keep watching. On every revocation, and on a slow sweep for
 * expiries, each admin socket's handshake request is checked again (cookie or Bearer, as at
 * the handshake); a socket that no longer passes gets a coded `xray:error` and is disconnected.
 * Embed sockets carry their own scoped token and are left alone.
 */
import type { IncomingMessage } from 'node:http';
import { securityStats } from '../http/securityStats';

export interface WatchedSocket {
  readonly request: IncomingMessage;
  readonly data: { embedScope?: unknown };
  emit(event: 'xray:error', error: { code: 'unauthorized'; message: string }): unknown;
  disconnect(close?: boolean): unknown;
}

export interface SessionSource {
  isAdmin(req: IncomingMessage): boolean;
  onRevoke(listener: () => void): void;
}

/** Drops every admin socket whose credentials no longer pass; returns how many were dropped. */
export function dropEndedSessions(sockets: Iterable<WatchedSocket>, auth: Pick<SessionSource, 'isAdmin'>): number {
  let dropped = 0;
  for (const socket of [...sockets]) {
    if (socket.data.embedScope !== undefined) continue;
    if (auth.isAdmin(socket.request)) continue;
    socket.emit('xray:error', { code: 'unauthorized', message: 'your session ended (logged out or expired); log in again' });
    socket.disconnect(true);
    dropped++;
    securityStats.socketsDropped++;
  }
  return dropped;
}

/** Watches `sockets()` for ended sessions: on every revocation and every `sweepMs`. Returns a stop function. */
export function watchSessionSockets(sockets: () => Iterable<WatchedSocket>, auth: SessionSource, sweepMs = 60_000): () => void {
  let stopped = false;
  auth.onRevoke(() => {
    if (!stopped) dropEndedSessions(sockets(), auth);
  });
  const timer = setInterval(() => dropEndedSessions(sockets(), auth), sweepMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
