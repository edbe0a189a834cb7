/**
 * The data plane: event log + writer + relay + SSE, served on RELAY_PORT. Runs without the
 * dashboard, which is how most integration tests start it.
 */
import type { Server } from 'node:http';
import { LIMITS } from '../lib/protocol/limits';
import type { XrayConfig } from './config';
import { closeServer, listen } from './listen';
import { Relay } from './relay/relay';
import { createRelayServer, type RestRoute } from './relay/relayServer';
import { SseHub } from './relay/sseHub';
import type { EventLog } from './store/eventLog';
import { LogWriter } from './store/logWriter';
import { SqliteEventLog } from './store/sqliteEventLog';
import { createIngestRoutes } from './telemetry/ingestRoutes';
import { createReplayRoutes } from './telemetry/replayRoutes';
import { startSpanServices, type SpanServices } from './spans/spanServices';

export interface DataPlane {
  log: EventLog;
  writer: LogWriter;
  relay: Relay;
  sse: SseHub;
  /** Span index, watches and evidence gates (telemetry as coordination). */
  spans: SpanServices;
  server: Server;
  relayPort: number;
  close(): Promise<void>;
}

export async function startDataPlane(config: XrayConfig, extraRoutes: Record<string, RestRoute> = {}): Promise<DataPlane> {
  const log = SqliteEventLog.open(config.dataDir, config.sync);
  const writer = new LogWriter(log, { commitDelayMs: config.commitDelayMs });
  const relay = new Relay(writer, {
    agentKeys: config.relayKeys,
    rateLimit: { perSecond: config.rateLimitPerSecond, burst: config.rateLimitPerSecond * 2 },
  });
  const sse = new SseHub(log, writer, LIMITS.sseClients);
  const spans = startSpanServices(config, log, writer, relay);
  const server = createRelayServer({ relay, sse, routes: { ...createReplayRoutes(log), ...createIngestRoutes(relay), ...spans.routes, ...extraRoutes }, matchRoute: spans.matchRoute, httpRatePerSecond: config.httpRateLimitPerSecond });
  let relayPort: number;
  try {
    relayPort = await listen(server, config.relayPort, config.relayHost);
  } catch (err) {
    writer.close();
    spans.close();
    throw err;
  }
  let closed = false;
  return {
    log,
    writer,
    relay,
    sse,
    spans,
    server,
    relayPort,
    async close() {
      if (closed) return;
      closed = true;
      relay.shutdown(); // fails calls in flight, closes agent sockets, records disconnects
      sse.close();
      await closeServer(server);
      writer.close(); // flushes what is queued, then closes the database
      spans.close(); // after the writer: the final commits are indexed first
    },
  };
}
