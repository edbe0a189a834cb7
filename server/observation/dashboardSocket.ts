/** The `/dashboard` Socket.IO namespace: validates subscriptions at the edge and hands sockets to the fanout. */
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { DASHBOARD_NAMESPACE, scopeSchema, type ClientToServerEvents, type ServerToClientEvents } from '../../lib/protocol/dashboard';
import { describeZodError } from '../../lib/protocol/relay';
import type { SwarmModel } from '../../lib/model/swarmModel';
import { OverviewFanout, type DashboardNamespace } from './overviewFanout';

export interface DashboardIo {
  io: Server;
  fanout: OverviewFanout;
  close(): Promise<void>;
}

export function attachDashboardSocket(server: HttpServer, model: SwarmModel, authorize?: (headers: Record<string, string | string[] | undefined>) => boolean): DashboardIo {
  const io = new Server(server, {
    path: '/socket.io',
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
    // Next's dev server uses other upgrade paths (HMR); leave them alone.
    destroyUpgrade: false,
  });
  const nsp: DashboardNamespace = io.of(DASHBOARD_NAMESPACE);
  const fanout = new OverviewFanout(nsp, model);
  if (authorize) {
    nsp.use((socket, next) => {
      if (authorize(socket.handshake.headers)) next();
      else next(Object.assign(new Error('unauthorized'), { data: { code: 'unauthorized', message: 'log in to the dashboard first' } }));
    });
  }
  nsp.on('connection', (socket) => {
    fanout.add(socket);
    socket.on('subscribe', (scope, ack) => {
      const parsed = scopeSchema.safeParse(scope);
      if (!parsed.success) {
        const error = { code: 'invalid_message' as const, message: describeZodError(parsed.error) };
        if (typeof ack === 'function') ack({ ok: false, error });
        else socket.emit('xray:error', error);
        return;
      }
      fanout.sendSnapshot(socket);
      if (typeof ack === 'function') ack({ ok: true });
    });
    socket.on('resync', () => fanout.sendSnapshot(socket));
  });
  fanout.start();
  return {
    io,
    fanout,
    close: () =>
      new Promise<void>((resolve) => {
        fanout.stop();
        io.close(() => resolve());
      }),
  };
}
