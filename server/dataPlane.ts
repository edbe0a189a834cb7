/**
 * The data plane: event log + writer + relay + SSE, served on RELAY_PORT. Runs without the
 * dashboard, which is how most integration tests start it. Its consumers of committed events
 * (topic delivery, SSE, span index) subscribe to nothing here: `wireDataPlane` in xray.ts
 * puts them in the commit pipeline.
 */
import type { Server } from 'node:http';
import type { AlertService } from './alerts/alertService';
import type { CommitPipeline } from './commitPipeline';
import { AttemptLimiter } from './auth/attemptLimiter';
import { attemptPolicy, type XrayConfig } from './config';
import { relayGuardFor } from './http/relayGuard';
import { closeServer, listen } from './listen';
import { Relay, type RelayOptions } from './relay/relay';
import { createRelayServer } from './relay/relayServer';
import type { RestRoute } from './http/restRoute';
import { SseHub } from './relay/sseHub';
import type { EventLog } from './store/eventLog';
import { LogWriter } from './store/logWriter';
import { RetentionSweeper } from './store/retention';
import { SqliteEventLog } from './store/sqliteEventLog';
// Type-only: the PostgreSQL modules (and `pg`) load in multi-node mode only, so a
// single-node start does not pay for them before its relay listens.
import type { PgEventLog } from './store/pgEventLog';
import type { PgLogTail } from './store/pgLogTail';
import type { PgRetention } from './store/pgRetention';
import { StorageHealth } from './store/storageHealth';
import { EXIT_UNWRITABLE, StartupError } from './store/startupChecks';
import { NameLeases } from './relay/nameLeases';
import { StorageProbe } from './store/storageProbe';
import { WalCheckpointer } from './store/walCheckpointer';
import { injectWriteFaults, whileFileExists } from './store/writeFaults';
import { createIngestRoutes } from './telemetry/ingestRoutes';
import { createReplayRoutes } from './telemetry/replayRoutes';
import { startSpanServices, type SpanServices } from './spans/spanServices';

export interface DataPlane {
  log: EventLog;
  /** The SQLite log itself, for upkeep figures (bytes on disk, oldest seq) and retention; null in multi-node mode. */
  store: SqliteEventLog | null;
  writer: LogWriter;
  /** Whether the log can be written; shared by the store, the writer, /metrics and the dashboard. */
  health: StorageHealth;
  /** SQLite retention; null in multi-node mode (README, Multi-node: limits). */
  retention: RetentionSweeper | null;
  /** Multi-node mode: the shared PostgreSQL log, its tail (the commit source) and this node's id. */
  cluster: { log: PgEventLog; tail: PgLogTail; nodeId: string; retention: PgRetention | null } | null;
  probe: StorageProbe;
  relay: Relay;
  sse: SseHub;
  /** Span index, watches and evidence gates (telemetry as coordination). */
  spans: SpanServices;
  server: Server;
  relayPort: number;
  /** Set by the composition root (server/xray.ts) when alerting runs. */
  alerts?: AlertService;
  /**
   * The commit pipeline, set by the composition root (server/xray.ts `wireDataPlane`). The
   * data plane's consumers (topic delivery, SSE, span index) subscribe to nothing themselves.
   */
  commits?: CommitPipeline;
  close(): Promise<void>;
}

/** The relay's settings from the server's configuration (the same on either store). */
function relayOptions(config: XrayConfig): RelayOptions {
  return {
    agentKeys: config.relayKeys,
    keyAttempts: new AttemptLimiter(attemptPolicy(config)),
    rateLimit: { perSecond: config.rateLimitPerSecond, burst: config.rateLimitPerSecond * 2 },
    ackHoldMs: config.ackHoldMs,
    limits: config.limits,
  };
}

export async function startDataPlane(config: XrayConfig, extraRoutes: Record<string, RestRoute> = {}): Promise<DataPlane> {
  if (config.databaseUrl) return startClusterDataPlane(config, config.databaseUrl, extraRoutes);
  const log = SqliteEventLog.open(config.dataDir, { synchronous: config.sync, fullCheckMaxBytes: config.startupCheckMaxBytes, writer: config.sqliteWriter });
  if (log.migration.applied.length) console.log(`[store] schema migrated from version ${log.migration.from} to ${log.migration.to} (${log.migration.applied.join(', ')})`);
  if (log.vacuumMode === 'converted') console.log('[store] converted the log to incremental vacuum (one-time VACUUM)');
  if (config.failWritesFile) {
    injectWriteFaults(log, whileFileExists(config.failWritesFile));
    console.warn(`[store] FAULT INJECTION (test-only): log writes fail while ${config.failWritesFile} exists`);
  }
  const health = log.health;
  // Checkpoints (copy + fsync) in a worker thread, so no commit on the event loop pays for one;
  // the writer checkpoints by itself only if the WAL reaches ~40 MB.
  const checkpointer = log.file ? new WalCheckpointer(log.file, 500) : null;
  log.setAutoCheckpoint(10_000);
  const writer = await LogWriter.open(log, { commitDelayMs: config.commitDelayMs, health });
  const probe = new StorageProbe(health, log, { dir: config.dataDir, intervalMs: config.storageProbeMs, headroomBytes: config.storageHeadroomBytes });
  const retention = new RetentionSweeper(log, { retentionMs: config.retentionMs, maxBytes: config.maxLogBytes, intervalMs: config.retentionIntervalMs, batchRows: config.retentionBatch });
  const relay = new Relay(writer, relayOptions(config));
  const sse = new SseHub(log, writer, relay.peers.sse);
  const spans = await startSpanServices(config, log, writer, relay);
  const server = createRelayServer({ relay, sse, routes: { ...createReplayRoutes(log), ...createIngestRoutes(relay), ...spans.routes, ...extraRoutes }, matchRoute: spans.matchRoute, httpRatePerSecond: config.httpRateLimitPerSecond, guard: relayGuardFor(config) });
  let relayPort: number;
  try {
    relayPort = await listen(server, config.relayPort, config.relayHost);
  } catch (err) {
    probe.close();
    checkpointer?.close();
    await writer.close();
    spans.close();
    throw err;
  }
  retention.start();
  let closed = false;
  return {
    log,
    store: log,
    cluster: null,
    writer,
    health,
    retention,
    probe,
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
      await retention.close();
      probe.close();
      checkpointer?.close();
      await writer.close(); // flushes what is queued, then closes the database
      spans.close(); // after the writer: the final commits are indexed first
    },
  };
}

/**
 * Multi-node mode (XRAY_DATABASE_URL): the log is the shared PostgreSQL database; the commit
 * listeners are fed by the log tail (every node's events, this node's too), names are leased
 * cluster-wide and calls cross nodes through the log (README, "Multi-node").
 */
async function startClusterDataPlane(config: XrayConfig, url: string, extraRoutes: Record<string, RestRoute>): Promise<DataPlane> {
  const [{ PgEventLog }, { PgLogTail }, { PgRetention }] = await Promise.all([import('./store/pgEventLog'), import('./store/pgLogTail'), import('./store/pgRetention')]);
  const health = new StorageHealth();
  let log: PgEventLog;
  try {
    log = await PgEventLog.open(url, { health });
  } catch (err) {
    throw new StartupError(`the PostgreSQL log (XRAY_DATABASE_URL) cannot be opened: ${(err as Error).message}`, EXIT_UNWRITABLE);
  }
  if (log.migration.applied.length) console.log(`[store] PostgreSQL schema migrated from version ${log.migration.from} to ${log.migration.to} (${log.migration.applied.join(', ')})`);
  // The tail starts where the log stands now: every consumer begins at this position (writer.head()).
  const tail = new PgLogTail(log, url, { from: await log.head(), pollMs: config.tailPollMs });
  const writer = await LogWriter.open(log, { commitDelayMs: config.commitDelayMs, health, announcer: tail });
  const probe = new StorageProbe(health, log, { dir: null, intervalMs: config.storageProbeMs, headroomBytes: 0 });
  const relay = new Relay(writer, relayOptions(config));
  const cluster = relay.attachCluster(new NameLeases(log.pool, config.nodeId, { ttlMs: config.leaseTtlMs }, (name) => relay.nameLost(name)), { leaseWatchMs: Math.max(100, Math.floor(config.leaseTtlMs / 3)) });
  const sse = new SseHub(log, writer, relay.peers.sse);
  const spans = await startSpanServices(config, log, writer, relay);
  const server = createRelayServer({ relay, sse, routes: { ...createReplayRoutes(log), ...createIngestRoutes(relay), ...spans.routes, ...extraRoutes }, matchRoute: spans.matchRoute, httpRatePerSecond: config.httpRateLimitPerSecond, guard: relayGuardFor(config) });
  let relayPort: number;
  try {
    relayPort = await listen(server, config.relayPort, config.relayHost);
  } catch (err) {
    probe.close();
    await cluster.close();
    await writer.close();
    await tail.close();
    spans.close();
    throw err;
  }
  await tail.start();
  const retention = config.retentionMs !== null ? new PgRetention(log, { retentionMs: config.retentionMs, intervalMs: config.retentionIntervalMs, batchRows: config.retentionBatch }) : null;
  retention?.start();
  if (config.maxLogBytes !== null) console.warn('[cluster] XRAY_MAX_LOG_BYTES is ignored in multi-node mode (the database owns its storage); XRAY_RETENTION applies');
  console.log(`[cluster] node ${config.nodeId} on the shared PostgreSQL log, tailing from seq ${tail.position}`);
  let closed = false;
  return {
    log,
    store: null,
    cluster: { log, tail, nodeId: config.nodeId, retention },
    writer,
    health,
    retention: null,
    probe,
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
      probe.close();
      await retention?.close();
      await cluster.close(); // frees this node's names at once
      await writer.close(); // flushes what is queued (acks wait for the tail), then closes the pool
      await tail.close();
      spans.close();
    },
  };
}
