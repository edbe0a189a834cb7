/**
 * Admission of agent WebSocket upgrades: the checks that run before a socket exists, so a
 * refused client costs no WebSocket, no session and no slot. Path, key (when one is presented
 * on the upgrade), then the per-address fair shares (all agent sockets, and those not yet
 * registered). Each refusal is a coded HTTP answer on the raw socket.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { XrayError } from '../../lib/protocol/errors';
import { refuseUpgrade } from '../http/respond';
import type { RelayGuard } from '../http/relayGuard';
import { parseRequestUrl } from '../http/requestUrl';
import { bearerOf } from './principal';
import type { Relay } from './relay';

/** Emitted on `wss` as 'connection' with the socket, its request and the unregistered slot's release. */
export type AdmittedConnection = (ws: WebSocket, req: IncomingMessage, releaseUnregistered: () => void) => void;

export function admitUpgrades(relay: Relay, wss: WebSocketServer, guard: RelayGuard | undefined) {
  const { peers } = relay;
  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (guard && !guard.upgrade(req, socket)) return;
    const url = parseRequestUrl(req.url, 'http://relay');
    if (url?.pathname !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    const address = req.socket.remoteAddress ?? '?';
    // A key on the upgrade must be valid; without one, the agent must send it in `register`.
    if (relay.keysRequired && bearerOf(req) !== undefined) {
      try {
        relay.authenticateKey(bearerOf(req), address);
      } catch (err) {
        refuseUpgrade(socket, err as XrayError);
        return;
      }
    }
    const wsRefused = peers.ws.acquire(address);
    if (wsRefused) {
      refuseUpgrade(socket, new XrayError('too_many_connections', wsRefused === 'address' ? `at most ${peers.ws.perAddress} agent connections per client address` : `the relay holds at most ${peers.ws.maxTotal} agent connections`));
      return;
    }
    if (peers.unregistered.acquire(address)) {
      peers.ws.release(address);
      refuseUpgrade(socket, new XrayError('too_many_connections', `at most ${peers.unregistered.perAddress} unregistered connections per client address; register first`));
      return;
    }
    // Both slots are released exactly once, whatever ends the connection (failed handshake included).
    let unregisteredHeld = true;
    const releaseUnregistered = () => {
      if (!unregisteredHeld) return;
      unregisteredHeld = false;
      peers.unregistered.release(address);
    };
    socket.once('close', () => {
      releaseUnregistered();
      peers.ws.release(address);
    });
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req, releaseUnregistered));
  };
}
