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
const PUBLIC_PREFIXES = ['/_next/static/', '/favicon.ico'];

export function createObservationServer(plane: DataPlane, model: SwarmModel, pages: PageHandler | null, auth: AdminAuth): { server: Server; dashboard: DashboardIo } {
  const api = createApiRouter(plane, model);
  const server = http.createServer((req, res) => {
    void route(req, res).catch((err) => sendError(res, err));
  });
  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    applySecurityHeaders(res, "'none'");
    const isPublic = PUBLIC_PREFIXES.some((p) => url.pathname.startsWith(p));
    if (!isPublic) {
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
  const dashboard = attachDashboardSocket(server, model, plane.log, { authorize: (req) => auth.isAdmin(req) });
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
  const { server, dashboard } = createObservationServer(plane, model, pages, auth);
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
