/**
 * The observation plane on PORT: the Next.js dashboard, /api, /metrics and the Socket.IO
 * namespace for browsers, all on one HTTP server. It reads the data plane's log and the
 * live model; it never writes to the log. Without Next (`--no-next`, tests, benchmark)
 * everything but the pages is served.
 */
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import type { SwarmModel } from '../../lib/model/swarmModel';
import { XrayError } from '../../lib/protocol/errors';
import type { XrayConfig } from '../config';
import type { DataPlane } from '../dataPlane';
import { sendError } from '../http/respond';
import { closeServer, listen } from '../listen';
import { createApiRouter } from './apiRoutes';
import { attachDashboardSocket, type DashboardIo } from './dashboardSocket';
import { renderMetrics } from './prometheus';
import type { AdminAuth } from '../auth/adminAuth';
import { applySecurityHeaders } from '../http/securityHeaders';
import { checkEmbedToken, EMBED_REFUSALS, embedScopeForPath, embedTokenOf } from '../auth/embedAccess';

export interface ObservationPlane {
  server: Server;
  port: number;
  dashboard: DashboardIo;
  close(): Promise<void>;
}

type PageHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;
interface NextLike {
  close(): Promise<void>;
  getUpgradeHandler(): (req: IncomingMessage, socket: never, head: Buffer) => Promise<void>;
}

const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');

/** The HTTP server and socket namespace, with pages delegated to `pages` (Next) when given. */
/** Bundles, fonts and icons carry no data: the login page needs them before there is a session. */
const PUBLIC_PREFIXES = ['/_next/static/', '/favicon.ico', '/icon.svg', '/apple-icon.png'];

function embedRefusal(res: ServerResponse, message: string): void {
  res.writeHead(403, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><meta charset="utf-8"><title>Embed refused</title><body style="font:14px system-ui;padding:24px;color:#8b949e"><p role="alert" data-testid="embed-refused">${message}</p></body>`);
}

export function createObservationServer(
  plane: DataPlane,
  model: SwarmModel,
  pages: PageHandler | null,
  auth: AdminAuth,
  embedFrameAncestors = "'self'",
): { server: Server; dashboard: DashboardIo } {
  const api = createApiRouter(plane, model, auth.signer);
  const server = http.createServer((req, res) => {
    void route(req, res).catch((err) => sendError(res, err));
  });
  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    const isEmbedPage = url.pathname.startsWith('/embed/');
    // Only embed pages may be framed, and only by the configured origins.
    applySecurityHeaders(res, isEmbedPage ? embedFrameAncestors : "'none'");
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
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' });
      res.end(renderMetrics({ writer: plane.writer, relay: plane.relay, fanout: dashboard.fanout, metrics: dashboard.metrics }));
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
    authorize: (req) => auth.isAdmin(req),
    // An embed's socket carries its token in the handshake and may watch only its own scope.
    embedScopeOf: (token) => {
      const v = auth.signer.verify(token);
      return v.ok && v.claims.kind === 'embed' && v.claims.scope ? v.claims.scope : null;
    },
  });
  plane.writer.onCommit(dashboard.onCommit);
  return { server, dashboard };
}

export async function startObservationPlane(config: XrayConfig, plane: DataPlane, model: SwarmModel, auth: AdminAuth, options: { next?: boolean } = {}): Promise<ObservationPlane> {
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
  const { server, dashboard } = createObservationServer(plane, model, pages, auth, config.embedFrameAncestors);
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
