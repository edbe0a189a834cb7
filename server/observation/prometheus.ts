/** `GET /metrics`: Prometheus text exposition of ingest, fanout and process figures. */
import type { LogWriter } from '../store/logWriter';
import type { Relay } from '../relay/relay';
import type { Fanout } from './fanout';
import type { FanoutMetrics } from './fanoutMetrics';
import type { SqliteEventLog } from '../store/sqliteEventLog';
import type { RetentionSweeper } from '../store/retention';
import type { StorageProbe } from '../store/storageProbe';
import { processFaults } from '../processFaults';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Event-loop delay, sampled every 10 ms; the max is "since the previous scrape" (reset on render). */
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

interface Sources {
  writer: LogWriter;
  relay: Relay;
  fanout: Fanout;
  metrics: FanoutMetrics;
  /** Log upkeep: retention, size on disk, writability. */
  storage?: { store: SqliteEventLog; retention: RetentionSweeper; probe: StorageProbe };
}

export function renderMetrics({ writer, relay, fanout, metrics, storage }: Sources): string {
  const lines: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, value: number) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
  const lags = fanout.lags();
  metric('xray_events_committed_total', 'counter', 'Events committed to the log.', writer.stats.committed);
  metric('xray_events_duplicate_total', 'counter', 'Events refused as duplicates (same id).', writer.stats.duplicates);
  metric('xray_log_commit_batches_total', 'counter', 'Log transactions committed.', writer.stats.batches);
  metric('xray_log_head_seq', 'gauge', 'Highest seq in the log.', writer.head());
  metric('xray_relay_agents', 'gauge', 'Agents registered on the relay.', relay.agents().length);
  metric('xray_relay_calls_in_flight', 'gauge', 'Calls waiting for a worker.', relay.calls.size);
  metric('xray_relay_rejected_total', 'counter', 'Agent messages refused (bad input, limits).', relay.stats.rejected);
  metric('xray_relay_rate_limited_total', 'counter', 'Agent messages refused for the rate limit.', relay.stats.rateLimited);
  metric('xray_fanout_events_in_total', 'counter', 'Events entering the fanout.', metrics.eventsIn);
  metric('xray_fanout_deltas_total', 'counter', 'Deltas sent to dashboard subscriptions.', metrics.deltas);
  metric('xray_fanout_snapshots_total', 'counter', 'Snapshots sent (subscribe, resync, or fell behind the window).', metrics.snapshots);
  metric('xray_fanout_bytes_out_total', 'counter', 'Bytes of deltas and snapshots sent to dashboards.', metrics.bytesOut);
  metric('xray_fanout_raw_bytes_equivalent_total', 'counter', 'Estimated bytes the same events would cost as one message per frame per subscriber.', metrics.rawBytesEquivalent);
  metric('xray_fanout_bytes_saved_total', 'counter', 'Estimated bytes saved by coalescing.', Math.max(0, metrics.rawBytesEquivalent - metrics.bytesOut));
  metric('xray_fanout_skipped_backpressure_total', 'counter', 'Client ticks skipped because the socket buffer was above its high-water mark.', metrics.skippedForBackpressure);
  metric('xray_fanout_clients', 'gauge', 'Dashboard sockets connected.', fanout.clientCount);
  metric('xray_fanout_client_lag_max_seq', 'gauge', 'Worst dashboard subscription lag behind head (seq).', Math.max(0, ...lags));
  metric('xray_fanout_client_lag_sum_seq', 'gauge', 'Sum of per-client lag behind head (seq).', lags.reduce((a, b) => a + b, 0));
  lines.push('# HELP xray_fanout_latency_ms Receive-to-emit latency of the newest event in each delta.', '# TYPE xray_fanout_latency_ms histogram');
  let cumulative = 0;
  metrics.latencyBuckets.forEach((b, i) => {
    cumulative += metrics.latencyCounts[i];
    lines.push(`xray_fanout_latency_ms_bucket{le="${b}"} ${cumulative}`);
  });
  lines.push(`xray_fanout_latency_ms_bucket{le="+Inf"} ${metrics.latencyCount}`, `xray_fanout_latency_ms_sum ${metrics.latencySum}`, `xray_fanout_latency_ms_count ${metrics.latencyCount}`);
  if (storage) {
    const { store, retention, probe } = storage;
    const health = writer.health;
    const state = health.state;
    lines.push('# HELP xray_storage_state The event log state: ok, unavailable (disk full / I/O error; writes refused, recovers by itself) or corrupt (writes refused until recovered by hand).', '# TYPE xray_storage_state gauge');
    for (const s of ['ok', 'unavailable', 'corrupt'] as const) lines.push(`xray_storage_state{state="${s}"} ${state === s ? 1 : 0}`);
    metric('xray_storage_writable', 'gauge', '1 while the event log accepts writes.', state === 'ok' ? 1 : 0);
    metric('xray_storage_write_failures_total', 'counter', 'Log writes that failed (disk full, I/O error, corruption).', health.stats.writeFailures);
    metric('xray_storage_read_failures_total', 'counter', 'Log reads that failed (corrupt page, I/O error).', health.stats.readFailures);
    metric('xray_storage_recoveries_total', 'counter', 'Times the log became writable again after a failure.', health.stats.recoveries);
    metric('xray_storage_probes_total', 'counter', 'Writability probes while the log was unavailable.', probe.stats.probes);
    metric('xray_events_refused_storage_total', 'counter', 'Events refused without trying because the log was not writable.', writer.stats.refused);
    metric('xray_events_failed_total', 'counter', 'Events whose commit failed (refused to the sender, never acked).', writer.stats.failed);
    metric('xray_relay_bookkeeping_lost_total', 'counter', 'Relay bookkeeping events (register, subscribe, disconnect, call request) that could not be stored.', relay.stats.bookkeepingLost);
    metric('xray_log_oldest_seq', 'gauge', 'Lowest seq still stored.', store.oldestSeq());
    metric('xray_log_retention_floor_seq', 'gauge', 'Cursors below this seq answer expired (retention deleted past it).', store.floor());
    metric('xray_log_bytes_on_disk', 'gauge', 'Size of the log file and its WAL.', store.bytesOnDisk());
    metric('xray_retention_events_deleted_total', 'counter', 'Events deleted by retention.', retention.stats.eventsDeleted);
    metric('xray_retention_traces_deleted_total', 'counter', 'Whole traces deleted by retention.', retention.stats.tracesDeleted);
    metric('xray_retention_batch_max_ms', 'gauge', 'Longest retention transaction so far (how long it held the writer).', Math.round(retention.stats.maxBatchMs * 1000) / 1000);
    metric('xray_retention_pages_released_total', 'counter', 'Free pages handed back to the file system by incremental vacuum.', retention.stats.pagesReleased);
  }
  metric('xray_process_unhandled_rejections_total', 'counter', 'Promise rejections nobody handled (logged; the process kept running).', processFaults.unhandledRejections);
  metric('xray_process_event_loop_delay_max_ms', 'gauge', 'Longest event-loop stall since the previous scrape (ms).', Math.round(loopDelay.max / 1e4) / 100);
  metric('xray_process_event_loop_delay_p99_ms', 'gauge', 'p99 event-loop delay since the previous scrape (ms).', Math.round(loopDelay.percentile(99) / 1e4) / 100);
  loopDelay.reset();
  const mem = process.memoryUsage();
  metric('xray_process_heap_used_bytes', 'gauge', 'V8 heap in use.', mem.heapUsed);
  metric('xray_process_rss_bytes', 'gauge', 'Resident set size.', mem.rss);
  return lines.join('\n') + '\n';
}
