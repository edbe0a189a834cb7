/**
 * The `/dashboard` Socket.IO namespace: authenticates the handshake, validates every
 * client message at the edge, and hands subscriptions to the fanout.
 */
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { Server } from 'socket.io';
import { DASHBOARD_NAMESPACE, subscribeRequest, type ClientToServerEvents, type Scope, type ServerToClientEvents, type SubscribeAck } from '../../lib/protocol/dashboard';
import { describeZodError } from '../../lib/protocol/relay';
import type { SwarmModel } from '../../lib/model/swarmModel';
import type { EventLog } from '../store/eventLog';
import { EventWindow } from './eventWindow';
import { DEFAULT_FANOUT_WINDOW_BYTES } from '../config';
import { embedAllows } from '../auth/embedAccess';
import { Fanout, type FanoutOptions } from './fanout';
import { roomBroadcast, socketPeer, type DashboardNamespace, type SocketPeer } from './socketIoPeer';
import { FanoutMetrics } from './fanoutMetrics';
import { SocketAdmission } from './socketAdmission';
import { TokenBucket } from '../relay/rateLimiter';
import { SessionBudgets, sessionKeyOf } from './sessionBudget';
import type { WireError } from '../../lib/protocol/errors';

/** Refusals in a row after which a dashboard socket is closed. */
const MAX_REFUSALS_IN_A_ROW = 100;

/** Snapshot bytes that cost the session one request's worth of budget. */
const SNAPSHOT_BYTES_PER_REQUEST = 256 * 1024;

export interface DashboardIo {
  io: Server;
  fanout: Fanout<SocketPeer>;
  metrics: FanoutMetrics;
  admission: SocketAdmission;
  onCommit: Fanout['onCommit'];
  close(): Promise<void>;
}

export interface DashboardSocketOptions extends FanoutOptions {
  /** Refuses the handshake when it returns false (admin session check). */
  authorize?: (req: IncomingMessage) => boolean;
  /** The scope an embed token grants (`swarm`, `trace:<id>`), or null when it grants none. */
  embedScopeOf?: (token: string) => string | null;
  windowEvents?: number;
  /** Estimated bytes the window holds at most (XRAY_FANOUT_WINDOW_BYTES). */
  windowBytes?: number;
  /** Engine connections per client address (XRAY_SOCKETIO_PER_ADDRESS). */
  connectionsPerAddress?: number;
  /** Ms a connection may take to join a namespace before it is closed (XRAY_SOCKETIO_CONNECT_TIMEOUT_MS). */
  connectTimeoutMs?: number;
  /** engine.io's handshake check (the dashboard's origin check); refuses with 403 when false. */
  allowRequest?: (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void) => void;
  /** subscribe/unsubscribe/resync messages per second one socket may send (burst 4×). */
  socketRatePerSecond?: number;
  /** The per-session budget those messages also draw from (shared with the session's other sockets and API reads). */
  sessionBudgets?: SessionBudgets;
}

export function attachDashboardSocket(server: HttpServer, model: SwarmModel, log: EventLog, options: DashboardSocketOptions = {}): DashboardIo {
  const admission = new SocketAdmission(options.connectionsPerAddress ?? 100);
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(server, {
    path: '/socket.io',
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
    // Next's dev server uses other upgrade paths (HMR); leave them alone.
    destroyUpgrade: false,
    // The origin check runs first, so a foreign page never takes one of its address's slots.
    allowRequest: options.allowRequest
      ? (req, callback) => options.allowRequest!(req, (err, ok) => (ok ? admission.allowRequest(req, callback) : callback(err, false)))
      : admission.allowRequest,
    // A connection that joins no namespace (refused, or never asks) is closed, not held.
    connectTimeout: options.connectTimeoutMs ?? 5000,
  });
  admission.track(io);
  // Nothing is served on the main namespace: refuse it and drop the connection.
  io.use((socket, next) => {
    next(Object.assign(new Error('not_found'), { data: { code: 'not_found', message: `connect to ${DASHBOARD_NAMESPACE}` } }));
    admission.dropRefused(socket.conn);
  });
  const nsp: DashboardNamespace = io.of(DASHBOARD_NAMESPACE);
  const metrics = new FanoutMetrics();
  const fanout = new Fanout<SocketPeer>(model, log, new EventWindow(options.windowEvents ?? 50_000, options.windowBytes ?? DEFAULT_FANOUT_WINDOW_BYTES), metrics, options, roomBroadcast(nsp));
  const { authorize, embedScopeOf } = options;
  if (authorize) {
    nsp.use((socket, next) => {
      if (authorize(socket.request)) return next();
      const embed = (socket.handshake.auth as { embed?: unknown } | undefined)?.embed;
      const scope = typeof embed === 'string' && embedScopeOf ? embedScopeOf(embed) : null;
      if (scope) {
        socket.data.embedScope = scope;
        return next();
      }
      next(Object.assign(new Error('unauthorized'), { data: { code: 'unauthorized', message: 'log in to the dashboard first' } }));
      admission.dropRefused(socket.conn); // an unauthenticated connection is not held open
    });
  }
  const socketRate = options.socketRatePerSecond ?? 5;
  const sessions = options.sessionBudgets ?? new SessionBudgets(20, 80);
  // A snapshot's cost grows with its size: beyond the first 256 KB each further 256 KB costs the
  // session one more request, so a resync loop on a huge trace runs out of budget sooner.
  fanout.onSnapshotSent = (peer, bytes) => sessions.charge(peer.socket.data.xraySession as string, Math.floor(bytes / SNAPSHOT_BYTES_PER_REQUEST));
  nsp.on('connection', (socket) => {
    const peer = socketPeer(socket);
    fanout.connect(peer);
    socket.on('disconnect', () => fanout.disconnect(peer));
    // Every message that can make the server build or send a snapshot spends from two budgets:
    // this socket's, and its session's (an embed token or admin session opening many sockets
    // shares one). Refusals are coded `rate_limited`; nothing is queued for later.
    const bucket = new TokenBucket(socketRate, socketRate * 4);
    const embed = socket.data.embedScope ? ((socket.handshake.auth as { embed?: string }).embed ?? null) : null;
    const session = sessionKeyOf(socket.request, embed);
    socket.data.xraySession = session;
    let refusedInARow = 0;
    // A request for a big snapshot costs its size up front (when the cache knows it), so a
    // burst cannot admit dozens of megabyte snapshots before the first one is charged.
    const overBudget = (scope?: Scope): WireError | null => {
      const cost = 1 + (scope ? Math.floor(fanout.snapshotCostBytes(scope) / SNAPSHOT_BYTES_PER_REQUEST) : 0);
      let refusal: WireError | null = null;
      if (!bucket.take()) refusal = { code: 'rate_limited', message: `at most ${socketRate} subscribe/resync requests per second on one connection` };
      else if (!sessions.take(session, cost)) refusal = { code: 'rate_limited', message: `at most ${sessions.perSecond} subscribe/resync/API requests per second per session (a large snapshot counts as several)` };
      if (!refusal) {
        refusedInARow = 0;
        return null;
      }
      metrics.rateLimited++;
      // A client that ignores refusals is flooding: answering each one costs more than closing it.
      if (++refusedInARow > MAX_REFUSALS_IN_A_ROW) {
        socket.emit('xray:error', { code: 'rate_limited', message: `closing: ${MAX_REFUSALS_IN_A_ROW} requests in a row were refused` });
        socket.disconnect(true);
      }
      return refusal;
    };
    socket.on('subscribe', (request, ack) => {
      // Without an ack callback, a refusal still reaches the client as an xray:error event.
      const reply = (r: SubscribeAck) => {
        if (typeof ack === 'function') ack(r);
        else if (!r.ok) socket.emit('xray:error', r.error);
      };
      const parsed = subscribeRequest.safeParse(request);
      const limited = overBudget(parsed.success ? parsed.data.scope : undefined);
      if (limited) return reply({ ok: false, error: limited });
      if (!parsed.success) return reply({ ok: false, error: { code: 'invalid_message', message: describeZodError(parsed.error) } });
      const embedScope = socket.data.embedScope as string | undefined;
      if (embedScope && !embedAllows(embedScope, parsed.data.scope)) return reply({ ok: false, error: { code: 'forbidden', message: 'this embed may only watch its own view' } });
      try {
        const { key, resumed } = fanout.subscribe(peer, parsed.data.scope, parsed.data.after);
        reply({ ok: true, sub: key, resumed });
      } catch (err) {
        reply({ ok: false, error: { code: 'too_many_subscriptions', message: (err as Error).message } });
      }
    });
    socket.on('unsubscribe', (key) => {
      // Cheap, but counted on the socket's own bucket so it cannot be used to churn for free.
      if (!bucket.take()) return void (metrics.rateLimited++, socket.emit('xray:error', { code: 'rate_limited', message: 'too many unsubscribe requests' }));
      if (typeof key === 'string' && key.length <= 300) fanout.unsubscribe(peer, key);
    });
    socket.on('resync', (key) => {
      if (typeof key !== 'string' || key.length > 300) return void socket.emit('xray:error', { code: 'invalid_message', message: 'resync needs a subscription key' });
      const limited = overBudget(fanout.scopeOf(peer, key));
      if (limited) return void socket.emit('xray:error', { ...limited, message: `${limited.message} (resync of ${key} refused; retry later)` });
      if (!fanout.resync(peer, key)) socket.emit('xray:error', { code: 'not_found', message: `no subscription ${key} on this connection` });
    });
  });
  fanout.start();
  return {
    io,
    fanout,
    metrics,
    admission,
    onCommit: (events) => fanout.onCommit(events),
    close: () =>
      new Promise<void>((resolve) => {
        fanout.stop();
        io.close(() => resolve());
      }),
  };
}
