/**
 * The observation plane on PORT: the Next.js dashboard, /api, /metrics and the Socket.IO
 * namespace for browsers, all on one HTTP server. It reads the data plane's log and the
 * live model; it never writes to the log. Without Next (`--no-next`, tests, benchmark)
 * everything but the pages is served.
 */
import { PROJECT_ROOT } from '../projectRoot';
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { SwarmModel } from '../../lib/model/swarmModel';
import { XrayError } from '../../lib/protocol/errors';
import { DEFAULT_PEER_LIMITS, type PeerLimits, type XrayConfig } from '../config';
import type { PriceTable } from '../../lib/cost/prices';
import type { DataPlane } from '../dataPlane';
import { sendError } from '../http/respond';
import { badUrl, decodePathSegment, parseRequestUrl } from '../http/requestUrl';
import { closeServer, listen } from '../listen';
import { createApiRouter } from './apiRoutes';
import { spanMetrics } from '../spans/spanMetrics';
import { attachDashboardSocket, type DashboardIo } from './dashboardSocket';
import { createMetricsEndpoint, labeledCounter, type MetricDef, type MetricSources } from './prometheus';
import type { CommitPipeline, CommitSource } from '../commitPipeline';
import { SessionBudgets } from './sessionBudget';
import { processLoopDelay } from './eventLoopDelay';
import { alertMetrics } from '../alerts/alertMetrics';
import type { AdminAuth } from '../auth/adminAuth';
import { applySecurityHeaders } from '../http/securityHeaders';
import { guardSlowBodies, slowPeerServerOptions } from '../http/slowPeers';
import { checkEmbedToken, EMBED_REFUSALS, embedScopeForPath, embedTokenOf } from '../auth/embedAccess';
import { watchSessionSockets, type WatchedSocket } from '../auth/sessionSockets';
import { DashboardGuard } from '../http/dashboardGuard';
import { DASHBOARD_NAMESPACE } from '../../lib/protocol/dashboard';

export interface ObservationPlane {
  server: Server;
  port: number;
  dashboard: DashboardIo;
  close(): Promise<void>;
}

/** Work-amplification guards (README "Security"): request budgets and the loop-delay window. */
export interface ObservationLimits {
  sessionRatePerSecond?: number;
  socketRatePerSecond?: number;
  loopDelayWindowMs?: number;
  /** The fanout window's byte bound (XRAY_FANOUT_WINDOW_BYTES). */
  fanoutWindowBytes?: number;
  /** Multi-node: the window fills even with nobody watching, for dashboards moving here from another node (M4). */
  keepFanoutWindowUnwatched?: boolean;
}

/** Batches each commit stage threw on (the other stages still ran: commitPipeline.ts). */
const commitStageFailures = (commits: CommitPipeline): MetricDef =>
  labeledCounter('xray_commit_stage_failures_total', 'Committed batches a commit-pipeline stage threw on (caught; the other stages and the acks went on).', 'stage', () => commits.stats().map((s) => [s.name, s.failures] as const));

type PageHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;
interface NextLike {
  close(): Promise<void>;
  getUpgradeHandler(): (req: IncomingMessage, socket: never, head: Buffer) => Promise<void>;
}

/** The HTTP server and socket namespace, with pages delegated to `pages` (Next) when given. */
/** Bundles, fonts and icons carry no data: the login page needs them before there is a session. */
const PUBLIC_PREFIXES = ['/_next/static/', '/favicon.ico', '/icon.svg', '/apple-icon.png'];

function embedRefusal(res: ServerResponse, message: string): void {
  res.writeHead(403, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><meta charset="utf-8"><title>Embed refused</title><body style="font:14px system-ui;padding:24px;color:#8b949e"><p role="alert" data-testid="embed-refused">${message}</p></body>`);
}

/** The commit-pipeline stages (xray.ts) the observation plane's consumers follow. */
export interface ObservationCommits {
  fanout: CommitSource;
  sessions: CommitSource;
}

export async function createObservationServer(
  plane: DataPlane,
  model: SwarmModel,
  commits: ObservationCommits,
  pages: PageHandler | null,
  auth: AdminAuth,
  embedFrameAncestors = "'self'",
  limits: PeerLimits = DEFAULT_PEER_LIMITS,
  allowedOrigins: ReadonlySet<string> = new Set(),
  prices?: PriceTable,
  exporter?: MetricSources['exporter'],
  rates: ObservationLimits = {},
): Promise<{ server: Server; dashboard: DashboardIo }> {
  // One budget per session, shared by its API reads and its sockets' subscribe/resync (G6).
  const sessionRate = rates.sessionRatePerSecond ?? 20;
  const sessions = new SessionBudgets(sessionRate, sessionRate * 4);
  const loopDelay = processLoopDelay(rates.loopDelayWindowMs);
  const api = await createApiRouter(plane, model, commits.sessions, auth.signer, prices, sessions);
  // Browsers on other origins (another port of this host included) drive nothing here.
  const originGuard = new DashboardGuard(allowedOrigins);
  // Header, request and body-idle timeouts: slow clients cannot hold the dashboard's sockets.
  const server = http.createServer(slowPeerServerOptions(limits), (req, res) => {
    void route(req, res).catch((err) => sendError(res, err));
  });
  guardSlowBodies(server, limits.bodyIdleTimeoutMs, () => dashboard.admission.stats.slowBodies++);
  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const url = parseRequestUrl(req.url, 'http://dashboard');
    if (!url) return sendError(res, badUrl());
    // Next answers a page path it cannot percent-decode (`/trace/%ZZ`) with a 500: the client's error, a 400 here.
    decodePathSegment(url.pathname);
    const isEmbedPage = url.pathname.startsWith('/embed/');
    // Only embed pages may be framed, and only by the configured origins.
    applySecurityHeaders(res, isEmbedPage ? embedFrameAncestors : "'none'");
    if (!originGuard.checkRequest(req, res, url)) return;
    const isPublic = PUBLIC_PREFIXES.some((p) => url.pathname.startsWith(p));
    const embedScope = embedScopeForPath(url.pathname);
    if (isEmbedPage && !auth.hasSession(req)) {
      const check = embedScope ? checkEmbedToken(auth.signer, embedTokenOf(req, url), embedScope) : ({ ok: false, reason: 'wrong_scope' } as const);
      if (!check.ok) return embedRefusal(res, EMBED_REFUSALS[check.reason]);
    } else if (embedScope && req.method === 'GET' && !auth.isAdmin(req) && checkEmbedToken(auth.signer, embedTokenOf(req, url), embedScope).ok) {
      // An embed page's own data read: allowed by its scoped token.
    } else if (!isPublic) {
      if (await auth.handleAuthRoutes(req, res, url)) return;
      if (!auth.gate(req, res, url)) return;
    }
    if (url.pathname === '/metrics') {
      const text = await metrics.render();
      res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
      res.end(text);
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      await api.handle(req, res, url);
      return;
    }
    if (!pages) {
      sendError(res, new XrayError('not_found', 'pages are not served in this mode (--no-next)'));
      return;
    }
    await pages(req, res);
  };
  const dashboard = attachDashboardSocket(server, model, plane.log, {
    connectionsPerAddress: limits.socketIoPerAddress,
    connectTimeoutMs: limits.socketIoConnectTimeoutMs,
    sessionBudgets: sessions,
    socketRatePerSecond: rates.socketRatePerSecond,
    windowBytes: rates.fanoutWindowBytes,
    keepWindowUnwatched: rates.keepFanoutWindowUnwatched,
    authorize: (req) => auth.isAdmin(req),
    // An embed's socket carries its token in the handshake and may watch only its own scope.
    embedScopeOf: (token) => {
      const v = auth.signer.verify(token);
      return v.ok && v.claims.kind === 'embed' && v.claims.scope ? v.claims.scope : null;
    },
    allowRequest: originGuard.allowRequest,
  });
  commits.fanout.onCommit(dashboard.onCommit); // from here on, before any commit can fall in between: the window has no gap
  // A logged-out (or expired) session's live sockets are dropped, not left watching.
  const stopWatching = watchSessionSockets(() => dashboard.io.of(DASHBOARD_NAMESPACE).sockets.values() as Iterable<WatchedSocket>, auth);
  server.on('close', stopWatching);
  const metrics = createMetricsEndpoint({ writer: plane.writer, relay: plane.relay, fanout: dashboard.fanout, metrics: dashboard.metrics, admission: dashboard.admission, storage: plane.store && plane.retention ? { store: plane.store, retention: plane.retention, probe: plane.probe } : undefined, guards: { loopDelay, sessions }, exporter, extra: [...spanMetrics(plane.spans), ...(plane.alerts ? alertMetrics(plane.alerts) : []), ...(plane.commits ? [commitStageFailures(plane.commits)] : [])] });
  return { server, dashboard };
}

export async function startObservationPlane(config: XrayConfig, plane: DataPlane, model: SwarmModel, commits: ObservationCommits, auth: AdminAuth, options: { next?: boolean; exporter?: MetricSources['exporter'] | null } = {}): Promise<ObservationPlane> {
  let pages: PageHandler | null = null;
  let app = null as NextLike | null;
  if (options.next !== false) {
    const { default: next } = await import('next');
    const nextApp = next({ dev: config.dev, dir: PROJECT_ROOT, hostname: config.host, port: config.port });
    await nextApp.prepare();
    const handle = nextApp.getRequestHandler();
    pages = (req, res) => handle(req, res);
    app = nextApp as unknown as NextLike;
  }
  const { server, dashboard } = await createObservationServer(plane, model, commits, pages, auth, config.embedFrameAncestors, config.limits, config.dashboardAllowedOrigins, config.prices, options.exporter ?? undefined, {
    sessionRatePerSecond: config.sessionRatePerSecond,
    socketRatePerSecond: config.socketRatePerSecond,
    loopDelayWindowMs: config.loopDelayWindowMs,
    fanoutWindowBytes: config.fanoutWindowBytes,
    keepFanoutWindowUnwatched: config.databaseUrl !== null,
  });
  if (config.dev && app) {
    const upgrade = app.getUpgradeHandler();
    server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/socket.io')) void upgrade(req, socket as never, head);
    });
  }
  const port = await listen(server, config.port, config.host);
  return {
    server,
    port,
    dashboard,
    async close() {
      await dashboard.close();
      await closeServer(server);
      await app?.close();
    },
  };
}
