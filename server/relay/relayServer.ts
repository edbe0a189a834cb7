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
import { readJson, sendError, sendJson } from '../http/respond';
import { BoundedMap } from '../store/boundedMap';
import type { AgentSession } from './agentSession';
import { TokenBucket } from './rateLimiter';
import type { AgentSocket } from './agentSocket';
import type { Relay } from './relay';
import type { SseHub } from './sseHub';

const HEARTBEAT_MS = 15_000;
/** An agent that stops reading is disconnected rather than buffered without bound. */
const AGENT_SEND_BUFFER_LIMIT = 16 * 1024 * 1024;

export type RestRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

export interface RelayServerDeps {
  relay: Relay;
  sse: SseHub;
  /** Extra REST routes (telemetry ingest, replay) keyed by "METHOD /path". */
  routes?: Record<string, RestRoute>;
  /** REST/OTLP requests per second per client address (burst 2×). */
  httpRatePerSecond?: number;
  /** Routes with a parameter in the path (e.g. /v1/gates/{name}/check), tried after the exact ones. */
  matchRoute?: (method: string, path: string) => RestRoute | undefined;

}

function wrapSocket(ws: WebSocket, remote: string): AgentSocket {
  return {
    remote,
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

  const bearer = (req: IncomingMessage) => {
    const h = req.headers.authorization;
    return typeof h === 'string' && h.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
  };
  /** REST, SSE and OTLP need a valid agent key as a Bearer token when keys are configured. */
  const authorize = (req: IncomingMessage) => {
    if (relay.keysRequired && !relay.keyIsValid(bearer(req))) throw new XrayError('unauthorized', 'send Authorization: Bearer <agent key>');
  };

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

  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const remote = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
    const session = relay.connect(wrapSocket(ws, remote), relay.keysRequired && bearer(req) !== undefined);
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
    'GET /healthz': (_req, res) => sendJson(res, 200, { ok: true, head: relay.writer.head() }),
    'GET /v1/agents': (_req, res) => sendJson(res, 200, { agents: relay.agents() }),
    'POST /v1/call': async (req, res) => {
      const body = await readJson(req, restCallBody, LIMITS.httpBodyBytes);
      const parent = parseTraceparent(req.headers.traceparent as string | undefined);
      const traceId = body.trace_id ?? parent?.traceId;
      const parentSpanId = parent && parent.traceId === traceId ? parent.spanId : undefined;
      try {
        const result = await relay.call(body.from ?? 'rest', { ...body, trace_id: traceId, parent_span_id: parentSpanId }, 'rest');
        sendJson(res, 200, result, { traceparent: `00-${result.trace_id}-${result.span_id}-01` });
      } catch (err) {
        sendError(res, err);
      }
    },
    'POST /v1/broadcast': async (req, res) => {
      const body = await readJson(req, restBroadcastBody, LIMITS.httpBodyBytes);
      const r = await relay.broadcast(body.from ?? 'rest', body.topic, body.payload, body.id, body.trace_id);
      sendJson(res, 200, r);
    },
    'GET /v1/subscribe': (req, res, url) => {
      const topic = topicName.safeParse(url.searchParams.get('topic'));
      if (!topic.success) throw new XrayError('invalid_message', 'topic query parameter is required (letters, digits, . _ : @ / + -)');
      if (sse.isFull()) throw new XrayError('rate_limited', 'too many SSE subscribers');
      const raw = (req.headers['last-event-id'] as string | undefined) ?? url.searchParams.get('after') ?? '';
      const last = /^\d{1,15}$/.test(raw) ? Number(raw) : relay.writer.head();
      sse.open(res, topic.data, last);
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

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://relay');
    if (url.pathname !== '/healthz' && !allowed(req)) {
      relay.stats.rateLimited++;
      req.resume();
      sendError(res, new XrayError('rate_limited', `more than ${rate} requests/s from this address`));
      return;
    }
    const route = routes[`${req.method} ${url.pathname}`] ?? deps.matchRoute?.(req.method ?? '', url.pathname);
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

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://relay');
    if (url.pathname !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    // A key on the upgrade must be valid; without one, the agent must send it in `register`.
    if (relay.keysRequired && bearer(req) !== undefined && !relay.keyIsValid(bearer(req))) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Type: application/json\r\n\r\n{"error":{"code":"unauthorized","message":"invalid agent key"}}');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  server.on('close', () => {
    clearInterval(heartbeat);
    wss.close();
  });
  return server;
}
