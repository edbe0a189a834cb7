/**
 * Slow peers (slowloris) on both HTTP servers: headers that trickle in, request bodies that
 * trickle or stall. Node's own `headersTimeout` and `requestTimeout` answer 408 and close;
 * on top, a body that goes idle between chunks is refused after `bodyIdleTimeoutMs` with a
 * coded 408 and its connection dropped, so one client cannot hold sockets and buffers open.
 */
import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';

export interface SlowPeerLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  bodyIdleTimeoutMs: number;
}

/** Options for `http.createServer`: the connection check must run often enough to enforce short timeouts. */
export function slowPeerServerOptions(l: SlowPeerLimits): ServerOptions {
  return {
    headersTimeout: l.headersTimeoutMs,
    requestTimeout: Math.max(l.requestTimeoutMs, l.headersTimeoutMs),
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(Math.min(l.headersTimeoutMs, l.requestTimeoutMs) / 4))),
  };
}

const idleLimit = new WeakMap<IncomingMessage, number>();
const responseOf = new WeakMap<IncomingMessage, ServerResponse>();
const slowBodyCounters = new WeakMap<Server, () => void>();
const DEFAULT_BODY_IDLE_MS = 10_000;

/**
 * Stamps every request of `server` with its body idle timeout (read by `readBody`). Touches
 * nothing else: the listener neither reads the body nor answers. `onSlowBody` counts refusals.
 */
export function guardSlowBodies(server: Server, bodyIdleTimeoutMs: number, onSlowBody?: () => void): void {
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    idleLimit.set(req, bodyIdleTimeoutMs);
    responseOf.set(req, res);
  });
  if (onSlowBody) slowBodyCounters.set(server, onSlowBody);
}

export function bodyIdleTimeoutOf(req: IncomingMessage): number {
  return idleLimit.get(req) ?? DEFAULT_BODY_IDLE_MS;
}

/**
 * A body stalled: stop reading it, and drop the connection once the 408 is written (a
 * keep-alive connection would otherwise go on draining the trickle).
 */
export function abandonSlowBody(req: IncomingMessage): void {
  req.pause();
  const server = (req.socket as unknown as { server?: Server }).server;
  if (server) slowBodyCounters.get(server)?.();
  const res = responseOf.get(req);
  const drop = () => req.socket.destroy();
  if (res && !res.writableFinished) {
    res.setHeader('connection', 'close');
    res.once('finish', drop);
    setTimeout(drop, 1000).unref(); // the route never answered: drop anyway
  } else drop();
}
