/**
 * The observation plane on PORT: the Next.js dashboard, the /api routes and the Socket.IO
 * namespace for browsers, all on one HTTP server. It reads the data plane's log and the
 * live model; it never writes to the log.
 */
import http, { type Server } from 'node:http';
import path from 'node:path';
import next from 'next';
import type { SwarmModel } from '../../lib/model/swarmModel';
import type { XrayConfig } from '../config';
import type { DataPlane } from '../dataPlane';
import { sendError } from '../http/respond';
import { closeServer, listen } from '../listen';
import { createApiRouter } from './apiRoutes';
import { attachDashboardSocket, type DashboardIo } from './dashboardSocket';

export interface ObservationPlane {
  server: Server;
  port: number;
  dashboard: DashboardIo;
  close(): Promise<void>;
}

const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');

export async function startObservationPlane(config: XrayConfig, plane: DataPlane, model: SwarmModel): Promise<ObservationPlane> {
  const app = next({ dev: config.dev, dir: PROJECT_ROOT, hostname: config.host, port: config.port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const api = createApiRouter(plane, model);

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    if (url.pathname.startsWith('/api/')) {
      void api.handle(req, res, url);
      return;
    }
    handle(req, res).catch((err) => sendError(res, err));
  });
  if (config.dev) {
    const upgrade = app.getUpgradeHandler();
    server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/socket.io')) void upgrade(req, socket, head);
    });
  }
  const dashboard = attachDashboardSocket(server, model);
  const port = await listen(server, config.port, config.host);
  return {
    server,
    port,
    dashboard,
    async close() {
      await dashboard.close();
      await closeServer(server);
      await app.close();
    },
  };
}
