/**
 * The adapter between an admitted WebSocket and the relay: it opens a session, hands every
 * message to `relay.handleMessage` (through the ingest backpressure gate) and reports the close
 * with `relay.handleClose`. Transport concerns only: the register deadline (a slot held for
 * nothing) and heartbeats (a dead peer's name must free up).
 */
import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import type { IngestBackpressure } from './ingestBackpressure';
import { bearerOf } from './principal';
import type { Relay } from './relay';
import { wsAgentSocket } from './wsAgentSocket';

const HEARTBEAT_MS = 15_000;

/** Close code for a connection that did not register in time (4000–4999: application codes). */
export const REGISTER_TIMEOUT_CLOSE = 4408;

export function acceptAgentConnections(relay: Relay, wss: WebSocketServer, gate: IngestBackpressure, alive: WeakMap<WebSocket, boolean>): void {
  const { peers } = relay;
  wss.on('connection', (ws: WebSocket, req: IncomingMessage, releaseUnregistered: () => void) => {
    const address = req.socket.remoteAddress ?? '?';
    const remote = `${address}:${req.socket.remotePort ?? '?'}`;
    const upgradeKey = relay.keysRequired ? bearerOf(req) : undefined;
    const session = relay.connect(wsAgentSocket(ws, remote, address), upgradeKey !== undefined, upgradeKey);
    // A socket that never registers holds a slot for nothing: close it with a coded error.
    const registerTimer = setTimeout(() => {
      if (session.name) return;
      peers.stats.registerTimeouts++;
      session.send({ type: 'error', code: 'register_timeout', message: `register a name within ${peers.limits.registerTimeoutMs} ms of connecting` });
      relay.closeSession(session, REGISTER_TIMEOUT_CLOSE, 'register_timeout');
    }, peers.limits.registerTimeoutMs);
    registerTimer.unref();
    session.onRegistered = () => {
      clearTimeout(registerTimer);
      releaseUnregistered();
    };
    ws.once('close', () => clearTimeout(registerTimer));
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    const conn = {
      deliver: (data: Buffer, isBinary: boolean) => relay.handleMessage(session, isBinary ? data : data.toString('utf8'), isBinary),
      pause: () => ws.pause(),
      resume: () => ws.resume(),
    };
    ws.on('message', (data: Buffer, isBinary: boolean) => gate.message(conn, data, isBinary));
    ws.on('close', (code: number) => gate.close(conn, () => relay.handleClose(session, `socket closed (${code})`)));
    ws.on('error', () => relay.handleClose(session, 'socket error'));
  });
}

/** Pings every agent socket; one that did not answer the previous ping is terminated. Returns the stop function. */
export function startHeartbeat(wss: WebSocketServer, alive: WeakMap<WebSocket, boolean>): () => void {
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.get(ws)) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  return () => clearInterval(heartbeat);
}
