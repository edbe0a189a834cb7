/**
 * `GET /metrics`: Prometheus exposition through prom-client — the standard process and Node.js
 * families plus ours, in one Registry per observation plane (two servers in one test process
 * never share figures).
 *
 * Our figures are read at scrape time from the stats objects the hot paths already keep
 * (collect callbacks), so ingest and fanout do not change to be measured. Base units only
 * (seconds, bytes): `promtool check metrics` must pass.
 *
 * Adding a figure is one line in `xrayMetrics` below: `gauge(name, help, () => value)` or
 * `counter(name_total, help, () => value)`.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry, type Metric } from 'prom-client';
import type { LogWriter } from '../store/logWriter';
import type { Relay } from '../relay/relay';
import type { Fanout } from './fanout';
import type { FanoutMetrics } from './fanoutMetrics';
import type { SocketAdmission } from './socketAdmission';
import type { AddressSlots } from '../relay/addressSlots';
import { securityStats } from '../http/securityStats';
import type { SqliteEventLog } from '../store/sqliteEventLog';
import type { RetentionSweeper } from '../store/retention';
import type { StorageProbe } from '../store/storageProbe';
import { processFaults } from '../processFaults';
import { heapReleases } from '../heapRelease';
import type { MsHistogram } from '../msHistogram';
import type { EventLoopDelayMonitor } from './eventLoopDelay';
import type { SessionBudgets } from './sessionBudget';


export interface MetricSources {
  /** Figures from other modules (span index, gates), as metric definitions. */
  extra?: MetricDef[];
  writer: LogWriter;
  relay: Relay;
  fanout: Pick<Fanout, 'clientCount' | 'lags' | 'snapshots' | 'windowStats'>;
  metrics: FanoutMetrics;
  admission?: SocketAdmission;
  /** Log upkeep: retention, size on disk, writability. */
  storage?: { store: SqliteEventLog; retention: RetentionSweeper; probe: StorageProbe };
  /** Amplification guards (issue 11, G6): event-loop delay, session budgets, snapshot cache. */
  guards?: { loopDelay: EventLoopDelayMonitor; sessions: SessionBudgets };
  /** Optional sources that exist only when their feature is configured. */
  exporter?: { stats: { queued: number; exported: number; dropped: number; failedBatches: number; retries: number } };
}

/** A metric definition: registered into a Registry by `createMetricsRegistry`. */
export type MetricDef = (registry: Registry) => void;

/** A value that can go up and down, read when scraped. */
export const gauge = (name: string, help: string, read: () => number | Promise<number>): MetricDef => (registry) => {
  new Gauge({
    name,
    help,
    registers: [registry],
    // A figure the event log answers (asynchronously) is awaited by the scrape; the rest stay synchronous.
    collect() {
      const v = read();
      if (typeof v === 'number') this.set(v);
      else return v.then((n) => this.set(n));
    },
  });
};

/** A monotonic count kept elsewhere, read when scraped (name must end in `_total`). */
export const counter = (name: string, help: string, read: () => number): MetricDef => (registry) => {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      // The source is already cumulative: expose it as is rather than adding to it.
      this.reset();
      this.inc(Math.max(0, read()));
    },
  });
};

/** A monotonic count per label value, kept elsewhere and read when scraped. */
export const labeledCounter = (name: string, help: string, label: string, read: () => readonly (readonly [string, number])[]): MetricDef => (registry) => {
  new Counter({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    collect() {
      this.reset();
      for (const [value, n] of read()) this.inc({ [label]: value }, Math.max(0, n));
    },
  });
};

/** A 0/1 gauge per label value: which of several states holds now. */
export const stateGauge = (name: string, help: string, label: string, states: readonly string[], read: () => string): MetricDef => (registry) => {
  new Gauge({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    collect() {
      const now = read();
      for (const s of states) this.set({ [label]: s }, s === now ? 1 : 0);
    },
  });
};

/**
 * Histograms kept elsewhere in milliseconds, exposed in seconds: one series per value of
 * `label` (or a single unlabelled series when `label` is null).
 */
export const msHistogramSeriesAsSeconds = (name: string, help: string, label: string | null, read: () => Iterable<readonly [string, MsHistogram]>): MetricDef => (registry) => {
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    get() {
      const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
      for (const [value, h] of read()) {
        const own: Record<string, string> = label === null ? {} : { [label]: value };
        let cumulative = 0;
        h.buckets.forEach((ms, i) => {
          cumulative += h.counts[i];
          values.push({ metricName: `${name}_bucket`, labels: { ...own, le: ms / 1000 }, value: cumulative });
        });
        values.push({ metricName: `${name}_bucket`, labels: { ...own, le: '+Inf' }, value: h.count });
        values.push({ metricName: `${name}_sum`, labels: own, value: h.sum / 1000 });
        values.push({ metricName: `${name}_count`, labels: own, value: h.count });
      }
      return { name, help, type: 'histogram', values, aggregator: 'sum' };
    },
  };
  registry.registerMetric(metric as unknown as Metric);
};

/** One unlabelled histogram kept elsewhere in milliseconds, exposed in seconds. */
export const msHistogramAsSeconds = (name: string, help: string, read: () => MsHistogram): MetricDef => msHistogramSeriesAsSeconds(name, help, null, () => [['', read()]]);

/** Every X-Ray figure. One line each; keep names in base units and counters ending in `_total`. */
function xrayMetrics({ writer, relay, fanout, metrics, admission, storage, guards, exporter, extra = [] }: MetricSources): MetricDef[] {
  const lags = () => fanout.lags();
  const defs: MetricDef[] = [
    counter('xray_events_committed_total', 'Events committed to the log.', () => writer.stats.committed),
    counter('xray_events_duplicate_total', 'Events refused as duplicates (same id).', () => writer.stats.duplicates),
    counter('xray_log_commit_batches_total', 'Log transactions committed.', () => writer.stats.batches),
    gauge('xray_log_head_seq', 'Highest seq in the log.', () => writer.head()),
    gauge('xray_relay_agents', 'Agents registered on the relay.', () => relay.agents().length),
    gauge('xray_relay_calls_in_flight', 'Calls waiting for a worker.', () => relay.calls.size),
    counter('xray_relay_rejected_total', 'Agent messages refused (bad input, limits).', () => relay.stats.rejected),
    counter('xray_relay_rate_limited_total', 'Agent messages refused for the rate limit.', () => relay.stats.rateLimited),
    counter('xray_fanout_events_in_total', 'Events entering the fanout.', () => metrics.eventsIn),
    counter('xray_fanout_deltas_total', 'Deltas sent to dashboard subscriptions.', () => metrics.deltas),
    counter('xray_fanout_snapshots_total', 'Snapshots sent (subscribe, resync, or fell behind the window).', () => metrics.snapshots),
    counter('xray_fanout_bytes_out_total', 'Bytes of deltas and snapshots sent to dashboards.', () => metrics.bytesOut),
    counter('xray_fanout_raw_bytes_equivalent_total', 'Estimated bytes the same events would cost as one message per frame per subscriber.', () => metrics.rawBytesEquivalent),
    counter('xray_fanout_bytes_saved_total', 'Estimated bytes saved by coalescing.', () => Math.max(0, metrics.rawBytesEquivalent - metrics.bytesOut)),
    counter('xray_fanout_skipped_backpressure_total', 'Client ticks skipped because the socket buffer was above its high-water mark.', () => metrics.skippedForBackpressure),
    gauge('xray_fanout_clients', 'Dashboard sockets connected.', () => fanout.clientCount),
    gauge('xray_fanout_window_events', 'Recent events the fanout window holds in memory (deltas are served from it).', () => fanout.windowStats.events),
    gauge('xray_fanout_window_bytes', 'Estimated bytes the fanout window holds.', () => fanout.windowStats.bytes),
    gauge('xray_fanout_window_max_bytes', 'The fanout window byte bound (XRAY_FANOUT_WINDOW_BYTES); a client further behind gets a snapshot.', () => fanout.windowStats.maxBytes),
    gauge('xray_fanout_client_lag_max_seq', 'Worst dashboard subscription lag behind head (seq).', () => Math.max(0, ...lags())),
    gauge('xray_fanout_client_lag_sum_seq', 'Sum of per-client lag behind head (seq).', () => lags().reduce((a, b) => a + b, 0)),
    msHistogramAsSeconds('xray_fanout_latency_seconds', 'Receive-to-emit latency of the newest event in each delta.', () => metrics.latency),
    msHistogramAsSeconds('xray_log_commit_seconds', 'Wall time of each log commit in the store (reading its clocks, the transaction), failed ones included: a stalled store shows here first.', () => writer.commitTime),
    // Kept beside the standard process_/nodejs_ families: dashboards and the benchmark read these names.
    gauge('xray_process_heap_used_bytes', 'V8 heap in use.', () => process.memoryUsage().heapUsed),
    gauge('xray_process_rss_bytes', 'Resident set size.', () => process.memoryUsage.rss()),
    counter('xray_heap_releases_total', 'Times the quiet server, its heap grown, told V8 to optimize for memory so its memory reducer runs (heapRelease.ts).', () => heapReleases.count),
    counter('xray_heap_released_bytes_total', 'Committed V8 heap given back during those episodes (at the start minus at the end).', () => heapReleases.freedBytes),
    counter('xray_process_unhandled_rejections_total', 'Promise rejections nobody handled (logged; the process kept running).', () => processFaults.unhandledRejections),
  ];
  defs.push(...peerShareMetrics(relay, admission), ...securityMetrics());
  if (storage) defs.push(...storageMetrics(writer, relay, storage));
  if (guards) defs.push(...guardMetrics(guards, fanout, metrics));
  defs.push(...extra);
  if (exporter) {
    const s = exporter.stats;
    defs.push(
      gauge('xray_otlp_export_queue_spans', 'Spans waiting to be exported over OTLP.', () => s.queued),
      counter('xray_otlp_export_spans_total', 'Spans accepted by the OTLP export endpoint.', () => s.exported),
      counter('xray_otlp_export_dropped_spans_total', 'Spans dropped because the export queue was full or retries ran out.', () => s.dropped),
      counter('xray_otlp_export_failed_batches_total', 'Export batches that failed (each retry counts).', () => s.failedBatches),
      counter('xray_otlp_export_retries_total', 'Export batch retries.', () => s.retries),
    );
  }
  return defs;
}

/** Per-address fair shares (issue 11): configured limits, what is held, what was refused. */
function peerShareMetrics(relay: Relay, admission: SocketAdmission | undefined): MetricDef[] {
  const slots = (name: string, what: string, s: AddressSlots): MetricDef[] => [
    gauge(`xray_${name}_open`, `${what} open.`, () => s.size),
    gauge(`xray_${name}_addresses`, `Client addresses holding ${what}.`, () => s.addresses),
    gauge(`xray_${name}_limit_per_address`, `Configured cap of ${what} per client address.`, () => s.perAddress),
    gauge(`xray_${name}_limit_overall`, `Configured cap of ${what} over all addresses.`, () => s.maxTotal),
    counter(`xray_${name}_refused_per_address_total`, `${what} refused because the address used its share.`, () => s.refused.address),
    counter(`xray_${name}_refused_total_cap_total`, `${what} refused because the global cap was reached.`, () => s.refused.total),
  ];
  const { peers } = relay;
  const defs = [
    ...slots('relay_ws_connections', 'Agent WebSocket connections', peers.ws),
    ...slots('relay_ws_unregistered', 'Agent WebSocket connections not yet registered', peers.unregistered),
    ...slots('relay_sse_streams', 'SSE streams', peers.sse),
    ...slots('relay_calls_by_address', 'Calls in flight', peers.calls),
    counter('xray_relay_register_timeouts_total', 'Agent sockets closed for not registering in time.', () => peers.stats.registerTimeouts),
    gauge('xray_relay_register_timeout_seconds', 'Configured register timeout.', () => peers.limits.registerTimeoutMs / 1000),
    counter('xray_relay_slow_bodies_total', 'Relay requests refused because the body stalled.', () => peers.stats.slowBodies),
    gauge('xray_http_headers_timeout_seconds', 'Configured header timeout on both ports.', () => peers.limits.headersTimeoutMs / 1000),
    gauge('xray_http_request_timeout_seconds', 'Configured request timeout on both ports.', () => peers.limits.requestTimeoutMs / 1000),
    gauge('xray_http_body_idle_timeout_seconds', 'Configured body idle timeout on both ports.', () => peers.limits.bodyIdleTimeoutMs / 1000),
  ];
  if (admission) {
    defs.push(
      ...slots('dashboard_socket_connections', 'Dashboard Socket.IO connections', admission.slots),
      counter('xray_dashboard_socket_unauthenticated_closed_total', 'Dashboard Socket.IO connections refused by auth and closed.', () => admission.stats.unauthenticatedClosed),
      counter('xray_dashboard_slow_bodies_total', 'Dashboard requests refused because the body stalled.', () => admission.stats.slowBodies),
    );
  }
  return defs;
}

/** Refused browser requests and failed credentials (issue 11, classes 4–5). */
function securityMetrics(): MetricDef[] {
  const s = securityStats;
  return [
    labeledCounter('xray_origin_refused_total', 'Requests and upgrades refused for a browser origin that is not allowed (403 origin_not_allowed).', 'plane', () => [['relay', s.originRefused.relay], ['dashboard', s.originRefused.dashboard]]),
    counter('xray_relay_host_refused_total', 'Relay requests refused for a Host that is not one of its names (421 host_not_allowed).', () => s.hostRefused),
    counter('xray_relay_media_type_refused_total', 'Relay POSTs refused for their Content-Type (415 unsupported_media_type).', () => s.mediaTypeRefused),
    labeledCounter('xray_auth_failures_total', 'Wrong credentials presented.', 'kind', () => [['login', s.loginFailures], ['agent_key', s.keyFailures]]),
    labeledCounter('xray_auth_locked_total', 'Credential attempts refused unevaluated while the address backs off (429 rate_limited).', 'kind', () => [['login', s.loginLocked], ['agent_key', s.keyLocked]]),
    counter('xray_sessions_revoked_total', 'Admin sessions revoked by logout.', () => s.sessionsRevoked),
    counter('xray_session_sockets_dropped_total', 'Dashboard sockets disconnected because their session ended.', () => s.socketsDropped),
  ];
}

/** Event-loop health and the work-amplification guards: budgets refused, snapshot cache. */
function guardMetrics({ loopDelay, sessions }: NonNullable<MetricSources['guards']>, fanout: MetricSources['fanout'], metrics: FanoutMetrics): MetricDef[] {
  return [
    gauge('xray_event_loop_delay_p99_seconds', `Event-loop delay p99 over the last completed ${loopDelay.windowMs / 1000} s window (perf_hooks.monitorEventLoopDelay).`, () => loopDelay.last.p99Ms / 1000),
    gauge('xray_event_loop_delay_max_seconds', 'Event-loop delay max over the last completed window.', () => loopDelay.last.maxMs / 1000),
    gauge('xray_event_loop_delay_window_end_seconds', 'When the last event-loop delay window closed (unix time, s).', () => loopDelay.last.at / 1000),
    gauge('xray_event_loop_delay_worst_seconds', 'Worst event-loop delay since the process started.', () => loopDelay.worstMs / 1000),
    counter('xray_dashboard_rate_limited_total', 'Dashboard socket subscribe/unsubscribe/resync messages refused (rate_limited).', () => metrics.rateLimited),
    counter('xray_session_budget_refused_total', 'Requests (API reads, subscribe, resync) refused for the per-session budget.', () => sessions.refused),
    gauge('xray_snapshot_cache_entries', 'Stream snapshots held in the shared cache.', () => fanout.snapshots.size),
    counter('xray_snapshot_cache_builds_total', 'Snapshot builds or extensions started (shared by every subscriber of a scope).', () => fanout.snapshots.stats.builds),
    counter('xray_snapshot_cache_hits_total', 'Snapshots served from the cache with no log read.', () => fanout.snapshots.stats.hits),
  ];
}

/** Log upkeep (issue 13): writability, failures, retention, size on disk. */
function storageMetrics(writer: LogWriter, relay: Relay, { store, retention, probe }: NonNullable<MetricSources['storage']>): MetricDef[] {
  const health = writer.health;
  return [
    stateGauge('xray_storage_state', 'The event log state: ok, unavailable (disk full / I/O error; writes refused, recovers by itself) or corrupt (writes refused until recovered by hand).', 'state', ['ok', 'unavailable', 'corrupt'], () => health.state),
    gauge('xray_storage_writable', '1 while the event log accepts writes.', () => (health.state === 'ok' ? 1 : 0)),
    counter('xray_storage_write_failures_total', 'Log writes that failed (disk full, I/O error, corruption).', () => health.stats.writeFailures),
    counter('xray_storage_read_failures_total', 'Log reads that failed (corrupt page, I/O error).', () => health.stats.readFailures),
    counter('xray_storage_recoveries_total', 'Times the log became writable again after a failure.', () => health.stats.recoveries),
    counter('xray_storage_probes_total', 'Writability probes while the log was unavailable.', () => probe.stats.probes),
    counter('xray_sqlite_writer_thread_deaths_total', 'Times the SQLite writer thread stopped unexpectedly (its batches in flight failed; the next append started a new one).', () => store.writerThreadStats?.deaths ?? 0),
    counter('xray_events_refused_storage_total', 'Events refused without trying because the log was not writable.', () => writer.stats.refused),
    counter('xray_events_failed_total', 'Events whose commit failed (refused to the sender, never acked).', () => writer.stats.failed),
    counter('xray_relay_bookkeeping_lost_total', 'Relay bookkeeping events (register, subscribe, disconnect, call request) that could not be stored.', () => relay.stats.bookkeepingLost),
    gauge('xray_log_oldest_seq', 'Lowest seq still stored.', () => store.oldestSeq()),
    gauge('xray_log_retention_floor_seq', 'Cursors below this seq answer expired (retention deleted past it).', () => store.floor()),
    gauge('xray_log_bytes_on_disk', 'Size of the log file and its WAL.', () => store.bytesOnDisk()),
    counter('xray_retention_events_deleted_total', 'Events deleted by retention.', () => retention.stats.eventsDeleted),
    counter('xray_retention_traces_deleted_total', 'Whole traces deleted by retention.', () => retention.stats.tracesDeleted),
    gauge('xray_retention_batch_max_seconds', 'Longest retention transaction so far (how long it held the writer).', () => retention.stats.maxBatchMs / 1000),
    counter('xray_retention_pages_released_total', 'Free pages handed back to the file system by incremental vacuum.', () => retention.stats.pagesReleased),
  ];
}

const LINT_FAILING_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export interface MetricsEndpoint {
  contentType: string;
  render(): Promise<string>;
}

export function createMetricsEndpoint(sources: MetricSources): MetricsEndpoint {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // prom-client names these three gauges `_total`, which promtool rejects (a `_total` suffix
  // promises a counter). Their per-type siblings (nodejs_active_handles{type} …) carry the
  // same figures, so nothing is lost by dropping the sums.
  for (const name of LINT_FAILING_DEFAULTS) registry.removeSingleMetric(name);
  for (const def of xrayMetrics(sources)) def(registry);
  return { contentType: registry.contentType, render: () => registry.metrics() };
}

/** The exposition of some definitions alone, in a registry of their own (tests of one module's figures). */
export function renderMetricDefs(defs: readonly MetricDef[]): Promise<string> {
  const registry = new Registry();
  for (const def of defs) def(registry);
  return registry.metrics();
}
