/**
 * The data plane on RELAY_PORT: one HTTP server; WebSocket upgrades on `/ws` only, REST
 * under `/v1`. Every body is size-limited and schema-validated; every failure is a coded
 * JSON error. Heartbeats terminate dead agent sockets so their names free up.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { XrayError } from '../../lib/protocol/errors';
import { parseTraceparent } from '../../lib/protocol/ids';
import { LIMITS } from '../../lib/protocol/limits';
import { restBroadcastBody, restCallBody, topicName } from '../../lib/protocol/relay';
import { readJson, refuseUpgrade, sendError, sendJson } from '../http/respond';
import type { RelayGuard } from '../http/relayGuard';
import type { RestRoute } from '../http/restRoute';
import { guardSlowBodies, slowPeerServerOptions } from '../http/slowPeers';
import { badUrl, parseRequestUrl } from '../http/requestUrl';
import { BoundedMap } from '../store/boundedMap';
import type { AgentSession } from './agentSession';
import { bearerOf, senderScope } from './principal';
import { TokenBucket } from './rateLimiter';
import type { AgentSocket } from './agentSocket';
import type { Relay } from './relay';
import type { SseHub } from './sseHub';

const HEARTBEAT_MS = 15_000;
/** An agent that stops reading is disconnected rather than buffered without bound. */
const AGENT_SEND_BUFFER_LIMIT = 16 * 1024 * 1024;

export type { RestRoute };

export interface RelayServerDeps {
  relay: Relay;
  sse: SseHub;
  /** Extra REST routes (telemetry ingest, replay) keyed by "METHOD /path". */
  routes?: Record<string, RestRoute>;
  /** REST/OTLP requests per second per client address (burst 2×). */
  httpRatePerSecond?: number;
  /** Origin / Host / Content-Type checks, run first on every request and upgrade. */
  guard?: RelayGuard;
  /** Routes with a parameter in the path (e.g. /v1/gates/{name}/check), tried after the exact ones. */
  matchRoute?: (method: string, path: string) => RestRoute | undefined;

}

/** Close code for a connection that did not register in time (4000–4999: application codes). */
export const REGISTER_TIMEOUT_CLOSE = 4408;

const addressOf = (req: IncomingMessage) => req.socket.remoteAddress ?? '?';

function wrapSocket(ws: WebSocket, remote: string, address: string): AgentSocket {
  return {
    remote,
    address,
    send(message) {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > AGENT_SEND_BUFFER_LIMIT) {
        ws.close(1013, 'agent is not reading its messages');
        return;
      }
      ws.send(JSON.stringify(message));
    },
    close(code, reason) {
      ws.close(code, reason);
    },
  };
}

export function createRelayServer(deps: RelayServerDeps): http.Server {
  const { relay, sse } = deps;
  // maxPayload is the hard cap (connection closed with 1009); the session answers too_large below it.
  const wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.wsMessageBytes * 4 });
  const alive = new WeakMap<WebSocket, boolean>();

  const bearer = bearerOf;
  /** REST, SSE and OTLP need a valid agent key as a Bearer token when keys are configured. */
  const authorize = (req: IncomingMessage) => relay.authenticateKey(bearer(req), req.socket.remoteAddress ?? '?');

  // Ingest backpressure. While the log writer is over its high-water mark, a socket's further
  // messages are deferred and the socket paused, so TCP flow control slows the agent down.
  // ws still hands over the rest of the chunk it already read, so at most one read chunk per
  // socket waits here; it is processed after the next commit, before the socket resumes.
  // This bounds both memory and the work done per event-loop turn (/metrics stays answerable).
  interface Deferred {
    session: AgentSession;
    items: [Buffer, boolean][];
    at: number;
    /** Set when the socket closed with messages still waiting: the disconnect is recorded after them. */
    closedWith?: string;
  }
  const deferred = new Map<WebSocket, Deferred>();
  let draining = false;
  const drainDeferred = () => {
    draining = false;
    for (const [ws, d] of deferred) {
      while (d.at < d.items.length && !relay.writer.overloaded) {
        const [data, isBinary] = d.items[d.at++];
        d.session.receive(isBinary ? data : data.toString('utf8'), isBinary);
      }
      if (d.at < d.items.length) return; // overloaded again: the next commit continues from here
      deferred.delete(ws);
      if (d.closedWith) d.session.onClosed(d.closedWith);
      else ws.resume();
    }
  };
  const scheduleDrain = () => {
    if (deferred.size && !draining) {
      draining = true;
      setImmediate(drainDeferred);
    }
  };
  relay.writer.onDrain(scheduleDrain);

  const { peers } = relay;
  wss.on('connection', (ws: WebSocket, req: IncomingMessage, releaseUnregistered: () => void) => {
    const address = addressOf(req);
    const remote = `${address}:${req.socket.remotePort ?? '?'}`;
    const upgradeKey = relay.keysRequired ? bearer(req) : undefined;
    const session = relay.connect(wrapSocket(ws, remote, address), upgradeKey !== undefined, upgradeKey);
    // A socket that never registers holds a slot for nothing: close it with a coded error.
    const registerTimer = setTimeout(() => {
      if (session.name) return;
      peers.stats.registerTimeouts++;
      session.send({ type: 'error', code: 'register_timeout', message: `register a name within ${peers.limits.registerTimeoutMs} ms of connecting` });
      session.close(REGISTER_TIMEOUT_CLOSE, 'register_timeout');
    }, peers.limits.registerTimeoutMs);
    registerTimer.unref();
    session.onRegistered = () => {
      clearTimeout(registerTimer);
      releaseUnregistered();
    };
    ws.once('close', () => clearTimeout(registerTimer));
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const waiting = deferred.get(ws);
      if (waiting) {
        waiting.items.push([data, isBinary]);
        return;
      }
      if (relay.writer.overloaded) {
        deferred.set(ws, { session, items: [[data, isBinary]], at: 0 });
        ws.pause();
        return;
      }
      session.receive(isBinary ? data : data.toString('utf8'), isBinary);
    });
    ws.on('close', (code: number) => {
      // Messages that arrived before the close are still processed, in order and through the
      // same bounded drain, and only then is the disconnect recorded.
      const d = deferred.get(ws);
      if (d) {
        d.closedWith = `socket closed (${code})`;
        if (!relay.writer.overloaded) scheduleDrain();
        return;
      }
      session.onClosed(`socket closed (${code})`);
    });
    ws.on('error', () => session.onClosed('socket error'));
  });

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

  const routes: Record<string, RestRoute> = {
    'GET /healthz': (_req, res) => sendJson(res, 200, { ok: true, head: relay.writer.head(), storage: relay.writer.health.current() }),
    'GET /v1/agents': (_req, res) => sendJson(res, 200, { agents: relay.agents() }),
    'POST /v1/call': async (req, res) => {
      const body = await readJson(req, restCallBody, LIMITS.httpBodyBytes);
      const parent = parseTraceparent(req.headers.traceparent as string | undefined);
      const traceId = body.trace_id ?? parent?.traceId;
      const parentSpanId = parent && parent.traceId === traceId ? parent.spanId : undefined;
      try {
        // The caller is the REST principal; a `from` in the body is a claim, kept as from_unverified.
        const result = await relay.call('rest', { ...body, trace_id: traceId, parent_span_id: parentSpanId, from_unverified: body.from }, 'rest', addressOf(req));
        sendJson(res, 200, result, { traceparent: `00-${result.trace_id}-${result.span_id}-01` });
      } catch (err) {
        sendError(res, err);
      }
    },
    'POST /v1/broadcast': async (req, res) => {
      const body = await readJson(req, restBroadcastBody, LIMITS.httpBodyBytes);
      // Stored under the REST principal, never under the name the body claims: a `from` is kept
      // as data.from_unverified. Ids are scoped to that principal (G3).
      const scope = senderScope(relay.principalOf(bearer(req)), 'rest', 'rest');
      const r = await relay.broadcast('rest', body.topic, body.payload, body.id, body.trace_id, { scope, fromUnverified: body.from });
      sendJson(res, 200, r);
    },
    'GET /v1/subscribe': async (req, res, url) => {
      const topic = topicName.safeParse(url.searchParams.get('topic'));
      if (!topic.success) throw new XrayError('invalid_message', 'topic query parameter is required (letters, digits, . _ : @ / + -)');
      const raw = (req.headers['last-event-id'] as string | undefined) ?? url.searchParams.get('after') ?? '';
      const last = /^\d{1,15}$/.test(raw) ? Number(raw) : relay.writer.head();
      // A resume point retention has deleted past: the stream would silently skip messages, so say so.
      const floor = await relay.writer.log.floor();
      if (last < floor) throw new XrayError('expired', `messages after ${last} were deleted by retention; the oldest resumable position is ${floor}`, { oldest_seq: floor });
      sse.open(res, topic.data, last, addressOf(req)); // clamps a cursor beyond the head; refuses past the address's share
    },
    ...deps.routes,
  };

  // One bucket per client address, in a bounded map: a flood of addresses cannot grow it.
  const rate = deps.httpRatePerSecond ?? 1000;
  const buckets = new BoundedMap<string, TokenBucket>(10_000);
  const allowed = (req: IncomingMessage) => {
    const ip = req.socket.remoteAddress ?? '?';
    let b = buckets.get(ip);
    if (!b) buckets.set(ip, (b = new TokenBucket(rate, rate * 2)));
    return b.take();
  };

  const server = http.createServer(slowPeerServerOptions(peers.limits), (req, res) => {
    if (deps.guard && !deps.guard.request(req, res)) return;
    const url = parseRequestUrl(req.url, 'http://relay');
    if (!url) return sendError(res, badUrl()); // e.g. `GET //[x`: thrown here, it would crash the process
    if (url.pathname !== '/healthz' && !allowed(req)) {
      relay.stats.rateLimited++;
      req.resume();
      sendError(res, new XrayError('rate_limited', `more than ${rate} requests/s from this address`));
      return;
    }
    const key = `${req.method} ${url.pathname}`;
    // The key is the client's: only own routes, then the parameterised ones.
    const route = (Object.hasOwn(routes, key) ? routes[key] : undefined) ?? deps.matchRoute?.(req.method ?? '', url.pathname);
    if (!route) {
      const known = Object.keys(routes).some((k) => k.endsWith(` ${url.pathname}`));
      sendError(res, new XrayError(known ? 'method_not_allowed' : 'not_found', `${req.method} ${url.pathname} is not a relay endpoint`));
      return;
    }
    Promise.resolve()
      .then(() => {
        if (url.pathname !== '/healthz') authorize(req);
        return route(req, res, url);
      })
      .catch((err) => sendError(res, err));
  });

  guardSlowBodies(server, peers.limits.bodyIdleTimeoutMs, () => peers.stats.slowBodies++);

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (deps.guard && !deps.guard.upgrade(req, socket)) return;
    const url = parseRequestUrl(req.url, 'http://relay');
    if (url?.pathname !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    // A key on the upgrade must be valid; without one, the agent must send it in `register`.
    if (relay.keysRequired && bearer(req) !== undefined) {
      try {
        relay.authenticateKey(bearer(req), req.socket.remoteAddress ?? '?');
      } catch (err) {
        refuseUpgrade(socket, err as XrayError);
        return;
      }
    }
    // Fair shares per client address: all agent sockets, and those not yet registered.
    const address = addressOf(req);
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
  });

  server.on('close', () => {
    clearInterval(heartbeat);
    wss.close();
  });
  return server;
}
