/**
 * The data plane: event log + writer + relay + SSE, served on RELAY_PORT. Runs without the
 * dashboard, which is how most integration tests start it.
 */
import type { Server } from 'node:http';
import type { AlertService } from './alerts/alertService';
import { AttemptLimiter } from './auth/attemptLimiter';
import { attemptPolicy, type XrayConfig } from './config';
import { relayGuardFor } from './http/relayGuard';
import { closeServer, listen } from './listen';
import { Relay } from './relay/relay';
import { createRelayServer, type RestRoute } from './relay/relayServer';
import { SseHub } from './relay/sseHub';
import type { EventLog } from './store/eventLog';
import { LogWriter } from './store/logWriter';
import { SqliteEventLog } from './store/sqliteEventLog';
import { createIngestRoutes } from './telemetry/ingestRoutes';
import { createReplayRoutes } from './telemetry/replayRoutes';

export interface DataPlane {
  log: EventLog;
  writer: LogWriter;
  relay: Relay;
  sse: SseHub;
  server: Server;
  relayPort: number;
  /** Set by the composition root (server/xray.ts) when alerting runs. */
  alerts?: AlertService;
  close(): Promise<void>;
}

export async function startDataPlane(config: XrayConfig, extraRoutes: Record<string, RestRoute> = {}): Promise<DataPlane> {
  const log = SqliteEventLog.open(config.dataDir, config.sync);
  const writer = new LogWriter(log, { commitDelayMs: config.commitDelayMs });
  const relay = new Relay(writer, {
    agentKeys: config.relayKeys,
    keyAttempts: new AttemptLimiter(attemptPolicy(config)),
    rateLimit: { perSecond: config.rateLimitPerSecond, burst: config.rateLimitPerSecond * 2 },
    limits: config.limits,
  });
  const sse = new SseHub(log, writer, relay.peers.sse);
  const server = createRelayServer({ relay, sse, routes: { ...createReplayRoutes(log), ...createIngestRoutes(relay), ...extraRoutes }, httpRatePerSecond: config.httpRateLimitPerSecond, guard: relayGuardFor(config) });
  let relayPort: number;
  try {
    relayPort = await listen(server, config.relayPort, config.relayHost);
  } catch (err) {
    writer.close();
    throw err;
  }
  let closed = false;
  return {
    log,
    writer,
    relay,
    sse,
    server,
    relayPort,
    async close() {
      if (closed) return;
      closed = true;
      relay.shutdown(); // fails calls in flight, closes agent sockets, records disconnects
      sse.close();
      await closeServer(server);
      writer.close(); // flushes what is queued, then closes the database
    },
  };
}
