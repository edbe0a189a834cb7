/**
 * The data plane on RELAY_PORT: one HTTP server; WebSocket upgrades on `/ws` only, REST
 * under `/v1`. This file only composes transport adapters, each in its own module:
 * upgrade admission (wsAdmission.ts), the WS ↔ relay adapter and heartbeats (wsConnections.ts),
 * ingest backpressure (ingestBackpressure.ts), the relay's REST routes (relayRoutes.ts). The
 * relay itself decides everything about agent messages (`Relay.handleMessage`).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { XrayError } from '../../lib/protocol/errors';
import { LIMITS } from '../../lib/protocol/limits';
import { sendError } from '../http/respond';
import type { RelayGuard } from '../http/relayGuard';
import type { RestRoute } from '../http/restRoute';
import { guardSlowBodies, slowPeerServerOptions } from '../http/slowPeers';
import { badUrl, parseRequestUrl } from '../http/requestUrl';
import { BoundedMap } from '../store/boundedMap';
import { IngestBackpressure } from './ingestBackpressure';
import { bearerOf } from './principal';
import { TokenBucket } from './rateLimiter';
import type { Relay } from './relay';
import { relayRoutes } from './relayRoutes';
import type { SseHub } from './sseHub';
import { admitUpgrades } from './wsAdmission';
import { acceptAgentConnections, startHeartbeat } from './wsConnections';

export type { RestRoute };
export { REGISTER_TIMEOUT_CLOSE } from './wsConnections';

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

export function createRelayServer(deps: RelayServerDeps): http.Server {
  const { relay } = deps;
  // maxPayload is the hard cap (connection closed with 1009); the relay answers too_large below it.
  const wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.wsMessageBytes * 4 });
  const alive = new WeakMap<WebSocket, boolean>();
  acceptAgentConnections(relay, wss, new IngestBackpressure(relay), alive);
  const stopHeartbeat = startHeartbeat(wss, alive);

  const server = http.createServer(slowPeerServerOptions(relay.peers.limits), restHandler(deps, { ...relayRoutes(relay, deps.sse), ...deps.routes }));
  guardSlowBodies(server, relay.peers.limits.bodyIdleTimeoutMs, () => relay.peers.stats.slowBodies++);
  server.on('upgrade', admitUpgrades(relay, wss, deps.guard));
  server.on('close', () => {
    stopHeartbeat();
    wss.close();
  });
  return server;
}

/**
 * Every REST request: guard, URL, per-address rate (never for /healthz, so a flood cannot make
 * the process look dead), route lookup, key, route. Any throw becomes a coded JSON error.
 */
function restHandler(deps: RelayServerDeps, routes: Record<string, RestRoute>) {
  const { relay } = deps;
  const rate = deps.httpRatePerSecond ?? 1000;
  const allowed = perAddressRate(rate);
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (deps.guard && !deps.guard.request(req, res)) return;
    const url = parseRequestUrl(req.url, 'http://relay');
    if (!url) return sendError(res, badUrl()); // e.g. `GET //[x`: thrown here, it would crash the process
    if (url.pathname !== '/healthz' && !allowed(req)) {
      relay.countRateLimited();
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
        // REST, SSE and OTLP need a valid agent key as a Bearer token when keys are configured.
        if (url.pathname !== '/healthz') relay.authenticateKey(bearerOf(req), req.socket.remoteAddress ?? '?');
        return route(req, res, url);
      })
      .catch((err) => sendError(res, err));
  };
}

/** One token bucket per client address, in a bounded map: a flood of addresses cannot grow it. */
function perAddressRate(rate: number): (req: IncomingMessage) => boolean {
  const buckets = new BoundedMap<string, TokenBucket>(10_000);
  return (req) => {
    const ip = req.socket.remoteAddress ?? '?';
    let b = buckets.get(ip);
    if (!b) buckets.set(ip, (b = new TokenBucket(rate, rate * 2)));
    return b.take();
  };
}
